/**
 * The simulator's own admin API under /sim/ (not WeChat): create cards, inspect a code and its
 * history, mint dynamic codes, move the clock, inject faults, read the request log, and a token
 * relay. JSON in and out, money in fen; bad input is HTTP 400 with a message.
 */
import { z } from 'zod';
import {
  CARD_STATUSES,
  DEMO_MERCHANT_ID,
  MAX_BALANCE_FEN,
  PERMANENT_END_TIME,
  SUB_CARD_TYPES,
  USER_CARD_STATUSES,
  type SubCardType,
} from './constants.ts';
import { mintDynamicCode, newCardId, newCode, newOpenid, newOrderId, SANDBOX_BRAND, SANDBOX_LOGO_URL } from './catalogue.ts';
import { FAULT_KINDS, type FaultRegistry } from './faults.ts';
import type { RequestLog } from './request-log.ts';
import { WECHAT_PATHS } from './routes.ts';
import { codeExists, getCard, getCode, insertCard, insertCode, listHistory } from './store.ts';
import { stableToken } from './token-api.ts';
import type { SimContext } from './wire.ts';

export type AdminDeps = Readonly<{ ctx: SimContext; faults: FaultRegistry; requests: RequestLog }>;
export type AdminRequest = Readonly<{ method: string; path: string; query: URLSearchParams; rawBody: string; bodyTooLarge: boolean }>;
export type AdminAnswer = Readonly<{ status: number; body: unknown }>;

const answer = (status: number, body: unknown): AdminAnswer => ({ status, body });
const problem = (status: number, error: string): AdminAnswer => ({ status, body: { error } });

const TEN_YEARS_S = 10 * 365 * 86_400;
const unixSeconds = z.number().int().min(0).max(PERMANENT_END_TIME);

const NewCardSchema = z.strictObject({
  cardId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'cardId: 1–64 letters, digits, _ or -').optional(),
  code: z.string().regex(/^[A-Za-z0-9]{6,32}$/, 'code: 6–32 letters or digits').optional(),
  balanceFen: z.number().int().min(0).max(MAX_BALANCE_FEN).optional(),
  subCardType: z.enum(SUB_CARD_TYPES).optional(),
  userCardStatus: z.enum(USER_CARD_STATUSES).optional(),
  cardStatus: z.enum(CARD_STATUSES).optional(),
  useDynamicCode: z.boolean().optional(),
  useCustomCode: z.boolean().optional(),
  locationIds: z.array(z.number().int().positive()).min(1).optional(),
  merchantId: z.number().int().positive().nullable().optional(),
  beginTime: unixSeconds.optional(),
  endTime: unixSeconds.optional(),
  title: z.string().min(1).max(64).optional(),
});
type NewCardInput = z.infer<typeof NewCardSchema>;

/** Fields that define the card rather than the code: fixed once the card exists. */
const CARD_LEVEL_FIELDS = [
  'subCardType',
  'cardStatus',
  'useDynamicCode',
  'useCustomCode',
  'locationIds',
  'merchantId',
  'beginTime',
  'endTime',
  'title',
] as const satisfies readonly (keyof NewCardInput)[];

const FaultSchema = z
  .strictObject({
    path: z.string().refine((path) => path === '*' || WECHAT_PATHS.includes(path), {
      message: `path: * or one of ${WECHAT_PATHS.join(', ')}`,
    }),
    kind: z.enum(FAULT_KINDS),
    latencyMs: z.number().int().min(0).max(120_000).optional(),
    times: z.number().int().positive().optional(),
    probability: z.number().min(0).max(1).optional(),
    errcode: z.number().int().optional(),
  })
  .refine((fault) => fault.kind !== 'latency' || fault.latencyMs !== undefined, { message: 'latencyMs is required for kind latency' })
  .refine((fault) => fault.kind !== 'errcode' || (fault.errcode !== undefined && fault.errcode !== 0), {
    message: 'a non-zero errcode is required for kind errcode',
  });

const ClockSchema = z.strictObject({
  now: unixSeconds.optional(),
  advance: z.number().int().min(-TEN_YEARS_S).max(TEN_YEARS_S).optional(),
});

type Parsed<T> = { ok: true; value: T } | { ok: false; answer: AdminAnswer };

function parseBody<T>(request: AdminRequest, schema: z.ZodType<T>): Parsed<T> {
  if (request.bodyTooLarge) return { ok: false, answer: problem(413, 'body too large') };
  let json: unknown = {};
  if (request.rawBody.trim() !== '') {
    try {
      json = JSON.parse(request.rawBody);
    } catch {
      return { ok: false, answer: problem(400, 'body is not JSON') };
    }
  }
  const result = schema.safeParse(json);
  if (!result.success) return { ok: false, answer: problem(400, z.prettifyError(result.error)) };
  return { ok: true, value: result.data };
}

function createCard(ctx: SimContext, input: NewCardInput): AdminAnswer {
  const { db, clock } = ctx;
  const now = clock.nowSeconds();
  return db.transaction((): AdminAnswer => {
    const existing = input.cardId === undefined ? undefined : getCard(db, input.cardId);
    if (existing) {
      const clash = CARD_LEVEL_FIELDS.filter((field) => input[field] !== undefined);
      if (clash.length > 0) return problem(400, `card ${existing.cardId} exists; ${clash.join(', ')} cannot be set for it`);
    }
    const subCardType: SubCardType = existing?.subCardType ?? input.subCardType ?? 'GIFT_CARD';
    if (subCardType === 'GIFT_CARD' && input.balanceFen === undefined) return problem(400, 'balanceFen is required for a GIFT_CARD');
    if (subCardType === 'VOUCHER' && (input.balanceFen ?? 0) !== 0) return problem(400, 'a VOUCHER holds no stored value: balanceFen must be 0');
    if (input.code !== undefined && codeExists(db, input.code)) return problem(409, `code ${input.code} exists`);

    let cardId = existing?.cardId;
    if (cardId === undefined) {
      const ranged = input.beginTime !== undefined || input.endTime !== undefined;
      const beginTime = ranged ? (input.beginTime ?? now) : null;
      const endTime = ranged ? (input.endTime ?? (beginTime ?? now) + 365 * 86_400) : null;
      if (beginTime !== null && endTime !== null && endTime <= beginTime) return problem(400, 'endTime must be after beginTime');
      cardId = input.cardId ?? newCardId(db);
      insertCard(db, {
        cardId,
        subCardType,
        status: input.cardStatus ?? 'CARD_STATUS_VERIFY_OK',
        title: input.title ?? (subCardType === 'GIFT_CARD' ? 'Sandbox gift card' : 'Sandbox voucher'),
        brandName: SANDBOX_BRAND,
        logoUrl: SANDBOX_LOGO_URL,
        useDynamicCode: input.useDynamicCode ?? false,
        useCustomCode: input.useCustomCode ?? false,
        useAllLocations: input.locationIds === undefined,
        locationIds: input.locationIds ?? [],
        merchantId: input.merchantId === undefined ? DEMO_MERCHANT_ID : input.merchantId,
        beginTime,
        endTime,
        createdAt: now,
      });
    }
    const code = input.code ?? newCode(db);
    insertCode(db, {
      code,
      cardId,
      openid: newOpenid(),
      userCardStatus: input.userCardStatus ?? 'NORMAL',
      balanceFen: input.balanceFen ?? 0,
      bonus: 0,
      orderId: newOrderId(),
      backgroundPicUrl: '',
      receivedAt: now,
    });
    return answer(200, { cardId, code });
  })();
}

function describeCode(ctx: SimContext, codeValue: string): AdminAnswer {
  const code = getCode(ctx.db, codeValue);
  if (!code) return problem(404, `no code ${codeValue}`);
  const history = listHistory(ctx.db, code.code).map((entry) => ({
    at: entry.at,
    kind: entry.kind,
    ...(entry.balanceFen === null ? {} : { balanceFen: entry.balanceFen }),
    ...(entry.recordBalance === null ? {} : { recordBalance: entry.recordBalance }),
  }));
  return answer(200, {
    code: code.code,
    cardId: code.cardId,
    balanceFen: code.balanceFen,
    userCardStatus: code.userCardStatus,
    openid: code.openid,
    history,
  });
}

function mintDynamic(ctx: SimContext, codeValue: string): AdminAnswer {
  const code = getCode(ctx.db, codeValue);
  if (!code) return problem(404, `no code ${codeValue}`);
  if (!getCard(ctx.db, code.cardId)?.useDynamicCode) return problem(400, `card ${code.cardId} does not use dynamic codes`);
  const minted = mintDynamicCode(ctx.db, code.code, ctx.clock.nowSeconds());
  return answer(200, { dynamicCode: minted.dynamicCode, expiresAt: minted.expiresAt });
}

function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

const methodNotAllowed = (allowed: string) => problem(405, `method not allowed; use ${allowed}`);

export function handleAdmin(deps: AdminDeps, request: AdminRequest): AdminAnswer {
  const { ctx, faults, requests } = deps;
  const { method, path } = request;

  const codeRoute = /^\/sim\/codes\/([^/]+)(\/dynamic)?$/.exec(path);
  if (codeRoute) {
    const code = decodeSegment(codeRoute[1] ?? '');
    if (code === null) return problem(400, 'malformed code in path');
    if (codeRoute[2] === undefined) return method === 'GET' ? describeCode(ctx, code) : methodNotAllowed('GET');
    return method === 'POST' ? mintDynamic(ctx, code) : methodNotAllowed('POST');
  }

  switch (path) {
    case '/sim/cards': {
      if (method !== 'POST') return methodNotAllowed('POST');
      const parsed = parseBody(request, NewCardSchema);
      return parsed.ok ? createCard(ctx, parsed.value) : parsed.answer;
    }
    case '/sim/clock': {
      if (method === 'GET') return answer(200, ctx.clock.state());
      if (method !== 'POST') return methodNotAllowed('GET or POST');
      const parsed = parseBody(request, ClockSchema);
      if (!parsed.ok) return parsed.answer;
      const { now, advance } = parsed.value;
      if (now === undefined && advance === undefined) ctx.clock.reset();
      if (now !== undefined) ctx.clock.set(now);
      if (advance !== undefined) ctx.clock.advance(advance);
      return answer(200, ctx.clock.state());
    }
    case '/sim/faults': {
      if (method === 'GET') return answer(200, faults.list());
      if (method === 'DELETE') return answer(200, { cleared: faults.clear() });
      if (method !== 'POST') return methodNotAllowed('GET, POST or DELETE');
      const parsed = parseBody(request, FaultSchema);
      return parsed.ok ? answer(200, faults.add(parsed.value)) : parsed.answer;
    }
    case '/sim/requests': {
      if (method === 'GET') return answer(200, requests.list());
      if (method === 'DELETE') return answer(200, { cleared: requests.clear() });
      return methodNotAllowed('GET or DELETE');
    }
    case '/sim/token-relay': {
      if (method !== 'GET') return methodNotAllowed('GET');
      // A central token service asked to refresh forces one if WeChat allows it now, and
      // otherwise hands out the current token rather than failing the terminal.
      const forced = request.query.get('refresh') === '1' ? stableToken(ctx, true) : null;
      const result = forced?.ok ? forced : stableToken(ctx, false);
      if (!result.ok) return problem(503, `token unavailable: errcode ${result.error[0]}`);
      return answer(200, { access_token: result.value.accessToken, expires_in: result.value.expiresIn });
    }
    default:
      return problem(404, `no admin route ${method} ${path}`);
  }
}
