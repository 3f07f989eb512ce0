/**
 * The card endpoints a counter terminal calls: card/get, card/code/get,
 * card/generalcard/updateuser and card/code/consume, with the statuses, dynamic codes and error
 * codes of docs/wechat-api.md.
 */
import { ERR, MAX_BALANCE_FEN, PERMANENT_END_TIME, type UserCardStatus, type WeChatError } from './constants.ts';
import {
  getCard,
  getCode,
  getDynamicCode,
  insertHistory,
  updateCodeBalance,
  updateCodeStatus,
  type Card,
  type CardCode,
} from './store.ts';
import { CARD_TOKEN_KINDS, checkToken } from './token-api.ts';
import {
  parsePostBody,
  readFields,
  wxError,
  wxOk,
  type FieldReader,
  type SimContext,
  type WeChatAnswer,
  type WeChatHandler,
  type WeChatRequest,
} from './wire.ts';

/** Method, token, then body: the order in which the real service refuses a request. */
function cardCall(
  ctx: SimContext,
  request: WeChatRequest,
  handle: (fields: FieldReader) => WeChatAnswer,
): WeChatAnswer {
  if (request.method !== 'POST') return wxError(ERR.requirePost);
  const token = checkToken(ctx, request.query.get('access_token'), CARD_TOKEN_KINDS);
  if (!token.ok) return token.answer;
  const parsed = parsePostBody(request);
  if (!parsed.ok) return parsed.answer;
  return handle(readFields(parsed.body));
}

const USABLE_CARD_STATUSES: readonly string[] = ['CARD_STATUS_VERIFY_OK', 'CARD_STATUS_DISPATCH'];

/** Why a code cannot be redeemed now, as the errcode WeChat gives; null when it can. */
function redeemProblem(card: Card, code: CardCode, now: number): WeChatError | null {
  switch (code.userCardStatus) {
    case 'CONSUMED':
      return ERR.codeConsumed;
    case 'DELETE':
    case 'GIFTING':
      return ERR.invalidUserCardStatus;
    case 'UNAVAILABLE':
      return ERR.invalidCardStatus;
    case 'EXPIRE':
      return ERR.invalidTime;
    case 'NORMAL':
    case 'GIFT_TIMEOUT':
      break;
  }
  if (!USABLE_CARD_STATUSES.includes(card.status)) return ERR.invalidCardStatus;
  if (card.beginTime !== null && now < card.beginTime) return ERR.invalidTime;
  if (card.endTime !== null && now > card.endTime) return ERR.invalidTime;
  return null;
}

/** The status code/get reports: a usable code of a card past its validity shows as EXPIRE. */
function visibleStatus(card: Card, code: CardCode, now: number): UserCardStatus {
  const usable = code.userCardStatus === 'NORMAL' || code.userCardStatus === 'GIFT_TIMEOUT';
  if (usable && card.endTime !== null && now > card.endTime) return 'EXPIRE';
  return code.userCardStatus;
}

type Resolved = { ok: true; card: Card; code: CardCode } | { ok: false; error: WeChatError };

/**
 * Finds the code a request names. Dynamic codes are resolved only where `dynamic` says so
 * (code/get); updateuser and consume take the real code only, so a dynamic code there is 40056.
 */
function resolveCode(
  ctx: SimContext,
  scanned: string,
  cardId: string | undefined,
  dynamic: Readonly<{ allowed: boolean; acceptExpired: boolean }>,
  requireCardIdForCustomCode: boolean,
): Resolved {
  let realCode = scanned;
  if (dynamic.allowed) {
    const minted = getDynamicCode(ctx.db, scanned);
    if (minted) {
      if (!dynamic.acceptExpired && ctx.clock.nowSeconds() >= minted.expiresAt) return { ok: false, error: ERR.invalidSerialCode };
      realCode = minted.code;
    }
  }
  const code = getCode(ctx.db, realCode);
  const card = code && getCard(ctx.db, code.cardId);
  if (!code || !card) return { ok: false, error: ERR.invalidSerialCode };
  if (cardId !== undefined && cardId !== card.cardId) return { ok: false, error: ERR.invalidSerialCode };
  if (requireCardIdForCustomCode && card.useCustomCode && cardId === undefined) return { ok: false, error: ERR.missingCardId };
  return { ok: true, card, code };
}

/** POST /card/get: the card definition. */
export const handleCardGet: WeChatHandler = (ctx, request) =>
  cardCall(ctx, request, (fields) => {
    const cardId = fields.string('card_id');
    if (fields.malformed) return wxError(ERR.dataFormat);
    if (cardId === undefined) return wxError(ERR.missingCardId);
    const card = getCard(ctx.db, cardId);
    if (!card) return wxError(ERR.invalidCardId);
    const dateInfo =
      card.beginTime === null || card.endTime === null
        ? { type: 'DATE_TYPE_PERMANENT' }
        : { type: 'DATE_TYPE_FIX_TIME_RANGE', begin_timestamp: card.beginTime, end_timestamp: card.endTime };
    const baseInfo = {
      id: card.cardId,
      logo_url: card.logoUrl,
      code_type: 'CODE_TYPE_QRCODE',
      brand_name: card.brandName,
      title: card.title,
      color: 'Color010',
      notice: 'Show the code to the cashier',
      description: 'Sandbox card of the gcterm WeChat card API simulator',
      date_info: dateInfo,
      sku: { quantity: 100_000, total_quantity: 100_000 },
      status: card.status,
      use_custom_code: card.useCustomCode,
      use_dynamic_code: card.useDynamicCode,
      use_all_locations: card.useAllLocations,
      location_id_list: card.locationIds,
      ...(card.merchantId === null ? {} : { sub_merchant_info: { merchant_id: card.merchantId } }),
    };
    return wxOk({
      card: {
        card_type: 'GENERAL_CARD',
        general_card: {
          base_info: baseInfo,
          sub_card_type: card.subCardType,
          supply_balance: card.subCardType === 'GIFT_CARD',
        },
      },
    });
  });

/** POST /card/code/get: the code's holder, status and balance; resolves dynamic codes. */
export const handleCodeGet: WeChatHandler = (ctx, request) =>
  cardCall(ctx, request, (fields) => {
    const scanned = fields.string('code');
    const cardId = fields.string('card_id');
    const checkConsume = fields.boolean('check_consume') ?? true;
    const acceptExpired = fields.boolean('is_expire_dynamic_code') ?? false;
    if (fields.malformed) return wxError(ERR.dataFormat);
    if (scanned === undefined) return wxError(ERR.missingRequiredFields);
    const resolved = resolveCode(ctx, scanned, cardId, { allowed: true, acceptExpired }, true);
    if (!resolved.ok) return wxError(resolved.error);
    const { card, code } = resolved;
    const now = ctx.clock.nowSeconds();
    const problem = redeemProblem(card, code, now);
    if (problem && checkConsume) return wxError(problem);
    return wxOk({
      openid: code.openid,
      can_consume: problem === null,
      user_card_status: visibleStatus(card, code, now),
      card: {
        card_id: card.cardId,
        begin_time: card.beginTime ?? code.receivedAt,
        end_time: card.endTime ?? PERMANENT_END_TIME,
        balance: code.balanceFen,
        bonus: code.bonus,
        code: code.code,
        card_number: code.code,
        order_id: code.orderId,
        background_pic_url: code.backgroundPicUrl,
      },
    });
  });

const isBalance = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= MAX_BALANCE_FEN;

/**
 * POST /card/generalcard/updateuser: `balance` is the new ABSOLUTE balance in fen. card_id is
 * required here whatever the card (41012), the code must be the real one.
 */
export const handleUpdateUser: WeChatHandler = (ctx, request) =>
  cardCall(ctx, request, (fields) => {
    const codeValue = fields.string('code');
    const cardId = fields.string('card_id');
    const recordBalance = fields.string('record_balance');
    const backgroundPicUrl = fields.string('background_pic_url');
    // Accepted and type-checked like the real service, but nothing the simulator shows.
    fields.string('custom_field_value1');
    fields.string('custom_field_value2');
    fields.string('custom_field_value3');
    fields.boolean('can_give_friend');
    const balance = fields.raw('balance');
    if (balance !== undefined && !isBalance(balance)) fields.reject();
    if (fields.malformed) return wxError(ERR.dataFormat);
    if (codeValue === undefined) return wxError(ERR.missingRequiredFields);
    if (cardId === undefined) return wxError(ERR.missingCardId);
    const now = ctx.clock.nowSeconds();
    return ctx.db.transaction(() => {
      const resolved = resolveCode(ctx, codeValue, cardId, { allowed: false, acceptExpired: false }, true);
      if (!resolved.ok) return wxError(resolved.error);
      const { card, code } = resolved;
      const problem = redeemProblem(card, code, now);
      if (problem) return wxError(problem);
      // A single-item voucher holds no stored value: writing one needs the balance permission.
      if (balance !== undefined && card.subCardType !== 'GIFT_CARD') return wxError(ERR.noBalancePermission);
      const resultBalance = isBalance(balance) ? balance : code.balanceFen;
      updateCodeBalance(ctx.db, code.code, resultBalance, backgroundPicUrl);
      insertHistory(ctx.db, code.code, {
        at: now,
        kind: 'updateuser',
        balanceFen: isBalance(balance) ? balance : null,
        recordBalance: recordBalance ?? null,
      });
      return wxOk({ result_balance: resultBalance, result_bonus: code.bonus, openid: code.openid });
    })();
  });

/** POST /card/code/consume: retires the code, irreversibly. */
export const handleConsume: WeChatHandler = (ctx, request) =>
  cardCall(ctx, request, (fields) => {
    const codeValue = fields.string('code');
    const cardId = fields.string('card_id');
    if (fields.malformed) return wxError(ERR.dataFormat);
    if (codeValue === undefined) return wxError(ERR.missingRequiredFields);
    const now = ctx.clock.nowSeconds();
    return ctx.db.transaction(() => {
      const resolved = resolveCode(ctx, codeValue, cardId, { allowed: false, acceptExpired: false }, true);
      if (!resolved.ok) return wxError(resolved.error);
      const { card, code } = resolved;
      const problem = redeemProblem(card, code, now);
      if (problem) return wxError(problem);
      updateCodeStatus(ctx.db, code.code, 'CONSUMED');
      insertHistory(ctx.db, code.code, { at: now, kind: 'consume', balanceFen: null, recordBalance: null });
      return wxOk({ openid: code.openid, card: { card_id: card.cardId } });
    })();
  });
