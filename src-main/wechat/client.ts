/**
 * The WeChat card API client: typed requests, runtime-validated answers, errcode → WeChatError,
 * one token refresh and retry on 40001/40014/42001. Every exchange is reported to `onExchange`
 * (the journal records it, secrets redacted) whether it succeeded or not.
 */
import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance } from 'axios';
import type { z } from 'zod';
import { networkFailure, TOKEN_ERRCODES, WeChatError } from './errors.ts';
import {
  CardGetSchema,
  CodeGetSchema,
  ConsumeSchema,
  EnvelopeSchema,
  toCardDefinition,
  UpdateUserSchema,
  type CardDefinition,
  type CodeGetAnswer,
  type UpdateUserAnswer,
} from './schemas.ts';
import type { TokenProvider } from './tokens.ts';

export type Exchange = Readonly<{
  path: string;
  request: unknown;
  response?: unknown;
  error?: string;
  ms: number;
}>;

export type WeChatClientOptions = Readonly<{
  baseURL: string;
  timeoutMs: number;
  tokens: TokenProvider;
}>;

export type CodeGetRequest = Readonly<{
  code: string;
  cardId?: string;
  checkConsume?: boolean;
  isExpireDynamicCode?: boolean;
}>;

export type UpdateUserRequest = Readonly<{ code: string; cardId: string; balanceFen: number; recordBalance: string }>;

export type ExchangeListener = (exchange: Exchange) => void;

export type WeChatClient = Readonly<{
  getCode(request: CodeGetRequest, onExchange?: ExchangeListener): Promise<CodeGetAnswer>;
  getCard(cardId: string, onExchange?: ExchangeListener): Promise<CardDefinition>;
  updateUser(request: UpdateUserRequest, onExchange?: ExchangeListener): Promise<UpdateUserAnswer>;
  consume(request: Readonly<{ code: string; cardId: string }>, onExchange?: ExchangeListener): Promise<void>;
  readonly http: AxiosInstance;
}>;

export function createHttp(baseURL: string, timeoutMs: number): AxiosInstance {
  return axios.create({
    baseURL,
    timeout: timeoutMs,
    httpAgent: new http.Agent({ keepAlive: true, maxSockets: 64 }),
    httpsAgent: new https.Agent({ keepAlive: true, maxSockets: 64 }),
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
    // Proxies from the environment must not see tokens in query strings by accident.
    proxy: false,
  });
}

export function createWeChatClient(options: WeChatClientOptions): WeChatClient {
  const http = createHttp(options.baseURL, options.timeoutMs);

  async function call<S extends z.ZodType>(path: string, body: unknown, schema: S, onExchange?: ExchangeListener): Promise<z.infer<S>> {
    for (let attempt = 0; ; attempt++) {
      let token: string;
      try {
        token = await options.tokens.getToken();
      } catch (error) {
        // The token service was out of reach: this call was never sent, so it cannot have been
        // applied. (Left 'unknown', a refused write whose token refresh failed would be read
        // back with no token either, and stay "outcome unknown" although nothing moved.)
        if (error instanceof WeChatError) throw new WeChatError(path, { kind: 'unreachable', detail: `no access token: ${error.message}` });
        throw error;
      }
      const started = performance.now();
      const report = (fields: Readonly<{ response?: unknown; error?: string }>) =>
        onExchange?.({ path, request: body, ...fields, ms: Math.round(performance.now() - started) });
      let status: number;
      let text: string;
      try {
        const response = await http.post<string>(`${path}?access_token=${encodeURIComponent(token)}`, JSON.stringify(body), {
          responseType: 'text',
          transformResponse: [(data: unknown) => data],
          validateStatus: () => true,
        });
        status = response.status;
        text = typeof response.data === 'string' ? response.data : String(response.data);
      } catch (error) {
        const failure = networkFailure(error);
        report({ error: failure.kind === 'api' ? '' : `${failure.kind}: ${failure.detail}` });
        throw new WeChatError(path, failure);
      }
      if (status >= 500) {
        report({ error: `HTTP ${status}` });
        throw new WeChatError(path, { kind: 'unknown', detail: `HTTP ${status}` });
      }
      if (status >= 400) {
        report({ error: `HTTP ${status}` });
        throw new WeChatError(path, { kind: 'unreachable', detail: `HTTP ${status}` });
      }
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch {
        report({ error: `bad answer: not JSON (${text.length} bytes)` });
        throw new WeChatError(path, { kind: 'unknown', detail: 'bad answer: not JSON' });
      }
      report({ response: data });
      const envelope = EnvelopeSchema.safeParse(data);
      const errcode = envelope.success ? (envelope.data.errcode ?? 0) : 0;
      if (errcode !== 0) {
        const errmsg = envelope.success ? (envelope.data.errmsg ?? '') : '';
        if (TOKEN_ERRCODES.has(errcode) && attempt === 0) {
          options.tokens.invalidate(token);
          continue;
        }
        throw new WeChatError(path, { kind: 'api', errcode, errmsg });
      }
      const parsed = schema.safeParse(data);
      if (!parsed.success) {
        throw new WeChatError(path, { kind: 'unknown', detail: `bad answer: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? ''}` });
      }
      return parsed.data;
    }
  }

  return {
    http,
    getCode(request, onExchange) {
      const body: Record<string, unknown> = { code: request.code, check_consume: request.checkConsume ?? false };
      if (request.cardId !== undefined) body.card_id = request.cardId;
      if (request.isExpireDynamicCode) body.is_expire_dynamic_code = true;
      return call('/card/code/get', body, CodeGetSchema, onExchange);
    },
    async getCard(cardId, onExchange) {
      const answer = await call('/card/get', { card_id: cardId }, CardGetSchema, onExchange);
      return toCardDefinition(cardId, answer);
    },
    updateUser(request, onExchange) {
      return call(
        '/card/generalcard/updateuser',
        { code: request.code, card_id: request.cardId, balance: request.balanceFen, record_balance: request.recordBalance },
        UpdateUserSchema,
        onExchange,
      );
    },
    async consume(request, onExchange) {
      await call('/card/code/consume', { code: request.code, card_id: request.cardId }, ConsumeSchema, onExchange);
    },
  };
}
