/**
 * The store hub's wire protocol, shared by the hub (server.ts) and the counters (client.ts):
 * request bodies (zod), the signature every call carries, and the error answers.
 *
 * Authentication: at enrolment a counter makes an Ed25519 key pair and hands the hub only the
 * public key, so the hub's database holds nothing a thief could sign with (and the one-time
 * enrolment code is stored as a SHA-256 hash). Every later call is signed over
 * `METHOD\nPATH\nTIMESTAMP\nNONCE\nSHA256(BODY)`; the hub refuses a timestamp outside the skew
 * window and a nonce it has seen inside that window (remembered in PostgreSQL, so a request
 * replayed to another hub process is refused too).
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';

export const PROTOCOL_VERSION = 1;

export const HEADER = {
  terminal: 'x-gcterm-terminal',
  timestamp: 'x-gcterm-timestamp',
  nonce: 'x-gcterm-nonce',
  signature: 'x-gcterm-signature',
} as const;

/** A signed request's timestamp may differ from the hub's clock by at most this. */
export const SKEW_MS = 5 * 60_000;
/** The largest body the hub reads (a journal batch is far smaller). */
export const MAX_BODY_BYTES = 1024 * 1024;

export const bodyHash = (body: string) => createHash('sha256').update(body).digest('hex');

export function canonicalRequest(method: string, path: string, timestamp: string, nonce: string, body: string): string {
  return `${method.toUpperCase()}\n${path}\n${timestamp}\n${nonce}\n${bodyHash(body)}`;
}

export type KeyPair = Readonly<{ publicKeyPem: string; privateKeyPem: string }>;

export function newKeyPair(): KeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

export type Signer = (method: string, path: string, body: string) => Record<string, string>;

export function signer(terminalId: string, privateKeyPem: string, now: () => number = Date.now): Signer {
  const key = createPrivateKey(privateKeyPem);
  return (method, path, body) => {
    const timestamp = String(now());
    const nonce = randomBytes(16).toString('hex');
    const signature = sign(null, Buffer.from(canonicalRequest(method, path, timestamp, nonce, body)), key).toString('base64');
    return { [HEADER.terminal]: terminalId, [HEADER.timestamp]: timestamp, [HEADER.nonce]: nonce, [HEADER.signature]: signature };
  };
}

export const publicKeyOf = (pem: string): KeyObject => createPublicKey(pem);

export function verifySignature(key: KeyObject, method: string, path: string, timestamp: string, nonce: string, body: string, signature: string): boolean {
  try {
    return verify(null, Buffer.from(canonicalRequest(method, path, timestamp, nonce, body)), key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/** Enrolment codes: 20 characters of an alphabet without look-alikes (about 100 bits), grouped for reading aloud. */
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export function newEnrolmentCode(): string {
  const bytes = randomBytes(20);
  let code = '';
  for (let i = 0; i < 20; i++) {
    code += CODE_ALPHABET[(bytes[i] ?? 0) % CODE_ALPHABET.length];
    if (i % 5 === 4 && i < 19) code += '-';
  }
  return code;
}
export const normaliseEnrolmentCode = (code: string) => code.toUpperCase().replace(/[^A-Z0-9]/g, '');
export const enrolmentCodeHash = (code: string) => createHash('sha256').update(normaliseEnrolmentCode(code)).digest('hex');

const id = z.string().min(1).max(128);
export const TerminalIdSchema = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, . _ - (at most 64)');

export const EnrolBody = z.object({ code: z.string().min(1).max(64), publicKey: z.string().min(1).max(1000), version: z.string().max(64).optional() }).strict();

export const AcquireBody = z
  .object({
    key: z.string().min(1).max(256),
    redemptionId: id,
    purpose: z.enum(['redeem', 'replay', 'void', 'review', 'recover']),
    waitMs: z.number().int().min(0).max(60_000),
    ttlMs: z.number().int().min(1000).max(300_000),
  })
  .strict();
export const LeaseBody = z.object({ key: z.string().min(1).max(256), fence: z.number().int().positive() }).strict();
export const RenewBody = LeaseBody.extend({ ttlMs: z.number().int().min(1000).max(300_000) }).strict();
const fen = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
export const ObserveBody = LeaseBody.extend({ balanceBeforeFen: fen.nullable(), balanceSetFen: fen.nullable().optional() }).strict();

export const HistoryBody = z.object({ key: z.string().min(1).max(256), redemptionId: id }).strict();
export const HistoryAnswer = z.object({
  /** 'applied': the next holder read the balance this one set; 'not_applied': it read the balance this one saw before. */
  outcome: z.enum(['applied', 'not_applied', 'unknown']),
  fence: z.number().nullable(),
  balanceBeforeFen: z.number().nullable(),
  balanceSetFen: z.number().nullable(),
  nextObservedFen: z.number().nullable(),
});
export type LeaseHistory = z.infer<typeof HistoryAnswer>;

export const DynamicBody = z.object({ code: z.string().min(1).max(256), redemptionId: id }).strict();
export const TokenRefusedBody = z.object({ token: z.string().min(1).max(2048) }).strict();

const EventSchema = z
  .object({
    seq: z.number().int().positive(),
    at: z.number().int(),
    redemptionId: z.string().max(128).nullable(),
    kind: z.string().min(1).max(64),
    data: z.string().max(200_000),
    prevHash: z.string().regex(/^[0-9a-f]{64}$/),
    hash: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict();

const RedemptionSnapshot = z
  .object({
    id,
    state: z.string().min(1).max(32),
    cashier: z.string().max(128),
    scannedCode: z.string().max(256),
    realCode: z.string().max(256).nullable(),
    cardId: z.string().max(128).nullable(),
    amountFen: fen,
    balanceBeforeFen: fen.nullable(),
    balanceAfterFen: fen.nullable(),
    reason: z.string().max(128).nullable(),
    offline: z.boolean(),
    shortfallFen: fen.nullable().optional(),
    createdAt: z.number().int(),
    updatedAt: z.number().int(),
    /** The counter's local day of the sale (YYYY-MM-DD): a store's day is its own time zone's. */
    localDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  })
  .strict();
export type RedemptionSnapshot = z.infer<typeof RedemptionSnapshot>;

export const JournalBody = z
  .object({
    /** The highest seq the counter's own journal holds (a hub ahead of it means the tail was lost). */
    localHeadSeq: z.number().int().min(0),
    events: z.array(EventSchema).max(2000),
    redemptions: z.array(RedemptionSnapshot).max(2000),
    status: z
      .object({ queueDepth: z.number().int().min(0), exposureFen: fen, version: z.string().max(64), online: z.boolean() })
      .strict(),
  })
  .strict();
export type JournalPush = z.infer<typeof JournalBody>;

/** Error answers: a machine code and the message in both languages. */
export const HUB_ERRORS = {
  unauthenticated: { status: 401, en: 'this request is not signed by an enrolled counter', zh: '请求未经已登记收银台签名' },
  revoked: { status: 403, en: 'this counter was revoked at the hub', zh: '此收银台已被门店中心撤销' },
  replayed: { status: 401, en: 'a request replayed or outside the clock window was refused', zh: '重放或时间不符的请求被拒绝' },
  forged: { status: 401, en: 'the request signature does not match', zh: '请求签名不符' },
  malformed: { status: 400, en: 'the request is malformed', zh: '请求格式错误' },
  too_large: { status: 413, en: 'the request body is too large', zh: '请求内容过大' },
  not_found: { status: 404, en: 'no such hub endpoint', zh: '没有该接口' },
  code_invalid: { status: 403, en: 'the enrolment code is unknown, used or expired', zh: '登记码无效、已使用或已过期' },
  card_busy: { status: 409, en: 'the card is in use at another counter', zh: '此卡正在其他收银台使用' },
  stale_fence: { status: 409, en: 'this lease is no longer held (stale fencing number)', zh: '租约已失效（过期的栅栏号）' },
  journal_diverged: { status: 409, en: "the counter's journal does not continue the hub's copy", zh: '收银台日志与中心副本不一致' },
  token_unavailable: { status: 502, en: 'the hub cannot get a WeChat access token', zh: '门店中心无法获取微信令牌' },
  unavailable: { status: 503, en: 'the hub database is unreachable', zh: '门店中心数据库无法连接' },
  internal: { status: 500, en: 'internal hub error', zh: '门店中心内部错误' },
} as const satisfies Record<string, { status: number; en: string; zh: string }>;
export type HubErrorCode = keyof typeof HUB_ERRORS;

export const HubErrorAnswer = z.object({ error: z.string(), message: z.string(), messageZh: z.string() }).passthrough();
export const AcquireAnswer = z.object({
  fence: z.number(),
  ttlMs: z.number(),
  /** The previous holder's lease when it ended without a release (expired): what it saw and set. */
  previous: z
    .object({ fence: z.number(), terminalId: z.string(), redemptionId: z.string(), balanceBeforeFen: z.number().nullable(), balanceSetFen: z.number().nullable() })
    .nullable(),
});
export const BusyAnswer = z.object({ error: z.literal('card_busy'), holder: z.string() }).passthrough();
export const TokenAnswer = z.object({ token: z.string(), validForMs: z.number() });
export const JournalAnswer = z.object({ headSeq: z.number(), accepted: z.number() });
