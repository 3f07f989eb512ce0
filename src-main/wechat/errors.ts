import { AxiosError } from 'axios';
import type { ReasonCode } from '../../shared/reasons.ts';
import { redactUrl } from '../log.ts';

/**
 * How a call to WeChat failed, in the terms the money path needs:
 * - `api`: the service answered with an errcode (for -1 see `outcomeUnknown`);
 * - `unreachable`: the request never reached the service (connection refused, DNS): nothing applied;
 * - `unknown`: it may have been applied (timeout after sending, connection dropped, HTTP 5xx, an
 *   answer of the wrong shape). Writes in this state are resolved by reading back.
 */
export type WeChatFailure =
  | Readonly<{ kind: 'api'; errcode: number; errmsg: string }>
  | Readonly<{ kind: 'unreachable'; detail: string }>
  | Readonly<{ kind: 'unknown'; detail: string }>;

export class WeChatError extends Error {
  readonly failure: WeChatFailure;
  readonly path: string;
  constructor(path: string, failure: WeChatFailure) {
    super(
      failure.kind === 'api'
        ? `${path}: errcode ${failure.errcode} ${failure.errmsg}`
        : `${path}: ${failure.kind}: ${failure.detail}`,
    );
    this.name = 'WeChatError';
    this.path = path;
    this.failure = failure;
  }

  get errcode(): number | null {
    return this.failure.kind === 'api' ? this.failure.errcode : null;
  }

  /** A write that failed this way may or may not have been applied. */
  get outcomeUnknown(): boolean {
    return this.failure.kind === 'unknown' || this.errcode === -1;
  }

  /**
   * The service answered, but with something that is not the answer of this call (not JSON,
   * truncated, the wrong shape). Never money; for a write, an unknown outcome.
   */
  get badAnswer(): boolean {
    return this.failure.kind === 'unknown' && this.failure.detail.startsWith('bad answer');
  }

  /**
   * The API as a whole is out of reach (offline mode applies), as opposed to this card being
   * declined: no connection, timeouts, 5xx, system busy, daily quota. A bad answer is not: the
   * service did answer, and accepting the card offline on the strength of a garbled lookup would
   * hand over goods against a card nobody checked.
   */
  get apiUnavailable(): boolean {
    if (this.failure.kind !== 'api') return !this.badAnswer;
    return this.failure.errcode === -1 || this.failure.errcode === 45009;
  }
}

export const TOKEN_ERRCODES: ReadonlySet<number> = new Set([40001, 40014, 42001]);

/** The reason a cashier reads for an errcode the service answered. */
export function reasonForErrcode(errcode: number): ReasonCode {
  switch (errcode) {
    case -1:
      return 'service_busy';
    case 40001:
    case 40014:
    case 42001:
    case 40013:
    case 40125:
    case 41001:
      return 'token_failed';
    case 45009:
      return 'quota_reached';
    case 45011:
      return 'rate_limited';
    case 48001:
      return 'not_authorised';
    case 43010:
      return 'no_balance_permission';
    case 41012:
      return 'card_id_required';
    case 40056:
      return 'card_unknown';
    case 40099:
      return 'card_consumed';
    case 40127:
      return 'card_gifting';
    case 40078:
      return 'card_unavailable';
    case 40079:
      return 'card_expired';
    default:
      return 'api_error';
  }
}

export function reasonForError(error: unknown): ReasonCode {
  if (error instanceof WeChatError) {
    if (error.failure.kind === 'unreachable') return 'network_unavailable';
    if (error.failure.kind === 'unknown') return error.badAnswer ? 'bad_answer' : 'network_unavailable';
    return reasonForErrcode(error.failure.errcode);
  }
  if (error instanceof TokenError) return 'token_failed';
  return 'api_error';
}

/** A token provider could not produce a token. */
export class TokenError extends Error {
  /** The errcode the token endpoint answered, when it answered one. */
  readonly errcode: number | null;
  constructor(message: string, options?: ErrorOptions & { errcode?: number }) {
    super(message, options);
    this.name = 'TokenError';
    this.errcode = options?.errcode ?? null;
  }
}

/** Errors where the request cannot have reached the service. */
const NOT_SENT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'ERR_INVALID_URL',
]);

export function networkFailure(error: unknown): WeChatFailure {
  const code = error instanceof AxiosError ? (error.code ?? '') : '';
  const cause = (error as { cause?: { code?: string } }).cause?.code ?? '';
  const detail = redactUrl(`${code || cause || 'network'}: ${(error as Error).message}`);
  if (NOT_SENT_CODES.has(code) || NOT_SENT_CODES.has(cause)) return { kind: 'unreachable', detail };
  return { kind: 'unknown', detail };
}

