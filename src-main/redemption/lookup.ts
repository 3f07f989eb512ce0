/**
 * Reading a card: code/get for a scanned code (with the custom-code card id fallback), the card
 * definition (cached), what the terminal remembers of the card, and the balance inquiry, which
 * moves nothing.
 */
import { classifyCode, maskCode, type CodeKind } from '../../shared/codes.ts';
import { stripEdgeNoise } from '../../shared/scan/pipeline.ts';
import type { ReasonCode } from '../../shared/reasons.ts';
import { err, ok, type Result } from '../../shared/result.ts';
import { customCodeCardIds, DYNAMIC_CODE_VALID_MS, getCachedCard, getCardDefinition, getDynamicCode, mapDynamicCode, putCachedCard, putCardDefinition, recordDynamicCode } from '../journal/cards.ts';
import { inTransaction } from '../journal/db.ts';
import { appendEvent } from '../journal/events.ts';
import type { Exchange } from '../wechat/client.ts';
import { reasonForError, WeChatError } from '../wechat/errors.ts';
import type { CardDefinition, CodeGetAnswer } from '../wechat/schemas.ts';
import type { EngineContext, Failure } from './context.ts';
import { cardProblems, subCardTypeOf, type SubCardType } from './validate.ts';

export type CardLookup = Readonly<{
  scannedCode: string;
  codeKind: CodeKind;
  answer: CodeGetAnswer;
  definition: CardDefinition;
  subCardType: SubCardType | null;
  problems: readonly ReasonCode[];
}>;

const CODE_REASONS: Partial<Record<CodeKind, ReasonCode>> = {
  invalid: 'code_invalid',
  payment_code: 'code_payment',
  product_barcode: 'code_product',
};

/** Strips what scanners add around a code (whitespace, CR/LF, tabs, DEL) the one way the scan pipeline does; the rest is kept for classification. */
export const normaliseScannedCode = (code: string) => stripEdgeNoise(code);

/** Bad input: a journal trace, nothing else. */
export function rejectInput(ctx: EngineContext, field: 'amount' | 'code', reason: ReasonCode, detail: Readonly<Record<string, unknown>>): Failure {
  inTransaction(ctx.db, () => appendEvent(ctx.db, { redemptionId: null, kind: 'input_rejected', data: { field, reason, ...detail } }));
  return { reason };
}

export function checkCode(ctx: EngineContext, rawCode: string): Result<{ code: string; kind: CodeKind }, Failure> {
  const code = normaliseScannedCode(rawCode);
  const kind = classifyCode(code);
  const reason = CODE_REASONS[kind];
  if (reason) {
    const shown = code.length > 64 ? `${code.slice(0, 16)}…` : code;
    return err(rejectInput(ctx, 'code', reason, { length: rawCode.length, code: kind === 'invalid' ? JSON.stringify(shown) : maskCode(code) }));
  }
  return ok({ code, kind });
}

export async function fetchDefinition(ctx: EngineContext, cardId: string, onExchange?: (e: Exchange) => void): Promise<CardDefinition> {
  const now = ctx.now();
  const cached = getCardDefinition(ctx.db, cardId, ctx.options.definitionMaxAgeMs ?? 3_600_000, now);
  if (cached) return cached;
  const definition = await ctx.client.getCard(cardId, onExchange);
  putCardDefinition(ctx.db, definition, now);
  return definition;
}

/** Remembers the card as just seen online (the offline rules decide on it). Inside a transaction. */
export function rememberCard(ctx: EngineContext, answer: CodeGetAnswer, definition: CardDefinition, balanceFen?: number): void {
  putCachedCard(ctx.db, {
    real_code: answer.card.code,
    card_id: answer.card.card_id,
    sub_card_type: subCardTypeOf(definition),
    balance_fen: balanceFen ?? answer.card.balance ?? null,
    user_card_status: answer.user_card_status,
    end_time: answer.card.end_time,
    use_dynamic_code: definition.useDynamicCode ? 1 : 0,
    seen_at: ctx.now(),
  });
}

/**
 * code/get for a scanned code. A custom-code card answers 41012 without its card_id, and a
 * scan does not carry it: try the card ids this terminal knows (this code's last lookup, the
 * allowed list, cached custom-code definitions), as docs/wechat-api.md advises.
 */
export async function lookupScanned(ctx: EngineContext, code: string, record: (e: Exchange) => void, isExpireDynamicCode = false): Promise<CodeGetAnswer> {
  try {
    return await ctx.client.getCode({ code, checkConsume: false, isExpireDynamicCode }, record);
  } catch (error) {
    if (!(error instanceof WeChatError) || error.errcode !== 41012) throw error;
    const known = getCachedCard(ctx.db, code)?.card_id;
    const candidates = [...new Set([...(known ? [known] : []), ...ctx.options.scope.allowedCardIds, ...customCodeCardIds(ctx.db)])];
    for (const cardId of candidates) {
      try {
        return await ctx.client.getCode({ code, cardId, checkConsume: false, isExpireDynamicCode }, record);
      } catch (retryError) {
        if (!(retryError instanceof WeChatError) || (retryError.errcode !== 40056 && retryError.errcode !== 41012)) throw retryError;
      }
    }
    throw error;
  }
}

/** Reads a card whose real code is known (read-back, refresh under the hold, void, review). */
export function readCard(ctx: EngineContext, realCode: string, cardId: string | null, record: (e: Exchange) => void): Promise<CodeGetAnswer> {
  return ctx.client.getCode({ code: realCode, cardId: cardId ?? undefined, checkConsume: false }, record);
}

/** Balance inquiry: the card, its balance and whether it can be redeemed here. Moves nothing. */
export async function lookup(ctx: EngineContext, rawCode: string): Promise<Result<CardLookup, Failure>> {
  const checked = checkCode(ctx, rawCode);
  if (!checked.ok) return checked;
  const { code, kind } = checked.value;
  // A dynamic code is resolved once: an inquiry records the mapping, the redemption that
  // follows uses it. Presented again after a redemption that moved money, it is a replay.
  const seen = kind === 'wechat_dynamic' ? getDynamicCode(ctx.db, code) : undefined;
  if (seen && (seen.redemption_id !== null || ctx.now() - seen.first_seen_at > DYNAMIC_CODE_VALID_MS || ctx.now() < seen.first_seen_at)) {
    return err(rejectInput(ctx, 'code', 'dynamic_code_replay', { code: maskCode(code) }));
  }
  try {
    const record = ctx.exchanges.recorder(null);
    const answer = seen?.real_code ? await readCard(ctx, seen.real_code, seen.card_id, record) : await lookupScanned(ctx, code, record);
    const definition = await fetchDefinition(ctx, answer.card.card_id, record);
    ctx.options.offline?.reportAvailable();
    ctx.exchanges.tx(null, () => {
      rememberCard(ctx, answer, definition);
      if (kind === 'wechat_dynamic') {
        if (!seen) recordDynamicCode(ctx.db, code, null, ctx.now());
        mapDynamicCode(ctx.db, code, answer.card.code, answer.card.card_id);
      }
    });
    const problems = cardProblems(answer, definition, ctx.options.scope, Math.floor(ctx.now() / 1000));
    return ok({ scannedCode: code, codeKind: kind, answer, definition, subCardType: subCardTypeOf(definition), problems });
  } catch (error) {
    ctx.exchanges.tx(null, () => undefined);
    if (error instanceof WeChatError && error.apiUnavailable) ctx.options.offline?.reportUnavailable(error);
    return err({ reason: reasonForError(error) });
  }
}
