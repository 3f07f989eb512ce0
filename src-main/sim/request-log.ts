/**
 * The log of WeChat API requests received, so a test can check what a client actually sent and
 * in which order. Tokens, secrets and refresh tokens are masked: the log is shown in test output
 * and the sandbox UI, and secrets never appear in full anywhere (docs/architecture.md, invariant 7).
 */
import { isJsonObject } from './wire.ts';

export type LoggedRequest = Readonly<{
  /** Unix seconds on the simulator's clock. */
  at: number;
  method: string;
  path: string;
  query: Readonly<Record<string, string>>;
  /** The JSON body, or the raw text when it is not JSON, or null when empty. */
  body: unknown;
}>;

export type RequestLog = Readonly<{
  record(entry: LoggedRequest): void;
  list(): readonly LoggedRequest[];
  clear(): number;
}>;

const MASK = '***';
const SECRET_QUERY_KEYS: readonly string[] = ['access_token', 'component_access_token', 'secret'];
const SECRET_BODY_KEYS: readonly string[] = ['secret', 'component_appsecret', 'component_verify_ticket', 'authorizer_refresh_token'];
/** Raw bodies longer than this are cut in the log: a fuzzer's megabyte of garbage helps nobody. */
const MAX_LOGGED_TEXT = 2_000;

export function maskQuery(query: URLSearchParams): Record<string, string> {
  const masked: Record<string, string> = {};
  for (const [key, value] of query) masked[key] = SECRET_QUERY_KEYS.includes(key) ? MASK : value;
  return masked;
}

export function maskBody(rawBody: string): unknown {
  if (rawBody.trim() === '') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody);
  } catch {
    return rawBody.length > MAX_LOGGED_TEXT ? `${rawBody.slice(0, MAX_LOGGED_TEXT)}…` : rawBody;
  }
  if (!isJsonObject(parsed)) return parsed;
  return Object.fromEntries(Object.entries(parsed).map(([key, value]) => [key, SECRET_BODY_KEYS.includes(key) ? MASK : value]));
}

/** Keeps the newest `limit` requests, so a sandbox left running for days does not grow forever. */
export function createRequestLog(limit = 10_000): RequestLog {
  let entries: LoggedRequest[] = [];
  return {
    record(entry) {
      entries.push(entry);
      if (entries.length > limit) entries = entries.slice(-limit);
    },
    list: () => [...entries],
    clear() {
      const count = entries.length;
      entries = [];
      return count;
    },
  };
}
