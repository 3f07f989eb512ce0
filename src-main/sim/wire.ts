/**
 * The WeChat wire conventions every simulated endpoint shares: HTTP 200 with a JSON object,
 * `errcode`/`errmsg`, POST bodies of UTF-8 JSON, and the errors a malformed request earns.
 */
import { randomBytes } from 'node:crypto';
import type { SimClock } from './clock.ts';
import { ERR, type WeChatError } from './constants.ts';
import type { SimDb } from './store.ts';

/** Everything a WeChat handler may touch. */
export type SimContext = Readonly<{ db: SimDb; clock: SimClock; appid: string; secret: string }>;

export type WeChatRequest = Readonly<{
  method: string;
  query: URLSearchParams;
  rawBody: string;
  /** The body exceeded the size limit and was discarded. */
  bodyTooLarge: boolean;
}>;

export type WeChatAnswer = Readonly<Record<string, unknown>>;
export type WeChatHandler = (ctx: SimContext, request: WeChatRequest) => WeChatAnswer;

/**
 * Real error messages end in a request id ("... rid: 6571a6c0-2b8d1f3e-1c9a7b5d"), so a client
 * that matches errmsg text instead of errcode breaks here as it would in production.
 */
export function wxError([errcode, errmsg]: WeChatError | readonly [number, string]): WeChatAnswer {
  const rid = [randomBytes(4), randomBytes(4), randomBytes(4)].map((b) => b.toString('hex')).join('-');
  return { errcode, errmsg: `${errmsg} rid: ${rid}` };
}

export function wxErrcode(errcode: number): WeChatAnswer {
  const known = Object.values(ERR).find(([code]) => code === errcode);
  return wxError(known ?? [errcode, 'error']);
}

export const wxOk = (fields: Readonly<Record<string, unknown>>): WeChatAnswer => ({ errcode: 0, errmsg: 'ok', ...fields });

export type JsonObject = Readonly<Record<string, unknown>>;
export type BodyResult = { ok: true; body: JsonObject } | { ok: false; answer: WeChatAnswer };

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A POST endpoint's body: 43002 for another method, 44002 when empty, 47001 unless a JSON object. */
export function parsePostBody(request: WeChatRequest): BodyResult {
  if (request.method !== 'POST') return { ok: false, answer: wxError(ERR.requirePost) };
  if (request.bodyTooLarge) return { ok: false, answer: wxError(ERR.dataFormat) };
  if (request.rawBody.trim() === '') return { ok: false, answer: wxError(ERR.emptyPostData) };
  let parsed: unknown;
  try {
    parsed = JSON.parse(request.rawBody);
  } catch {
    return { ok: false, answer: wxError(ERR.dataFormat) };
  }
  if (!isJsonObject(parsed)) return { ok: false, answer: wxError(ERR.dataFormat) };
  return { ok: true, body: parsed };
}

/**
 * Typed reads of body fields. An absent field (or JSON null) reads as undefined; a present field
 * of the wrong type sets `malformed`, which the handler answers with 47001.
 */
export type FieldReader = {
  string(key: string): string | undefined;
  boolean(key: string): boolean | undefined;
  raw(key: string): unknown;
  /** Marks the body malformed (a value of the right type but impossible, e.g. a negative balance). */
  reject(): void;
  readonly malformed: boolean;
};

export function readFields(body: JsonObject): FieldReader {
  let malformed = false;
  const raw = (key: string): unknown => (Object.hasOwn(body, key) && body[key] !== null ? body[key] : undefined);
  const typed =
    <T>(guard: (value: unknown) => value is T) =>
    (key: string): T | undefined => {
      const value = raw(key);
      if (value === undefined) return undefined;
      if (guard(value)) return value;
      malformed = true;
      return undefined;
    };
  return {
    string: typed((value): value is string => typeof value === 'string'),
    boolean: typed((value): value is boolean => typeof value === 'boolean'),
    raw,
    reject() {
      malformed = true;
    },
    get malformed() {
      return malformed;
    },
  };
}
