/**
 * The write path: from a journaled `pending` redemption to a final state. Lookup under the card's
 * hold, validate, commit `deducting` (or `consuming` for a voucher) with the balance before and
 * the absolute balance targeted — refused if the card moved since the lookup — then send, and
 * resolve an unknown outcome by reading the balance back, never by deducting again.
 *
 * Commits per online stored-value redemption: pending row, deducting (with before/target), then
 * settled — plus one for `consuming` when the card is emptied — and the hold on the card taken
 * and released (src-main/redemption/ownership.ts).
 */
import { getDynamicCode, getCachedCard, mapDynamicCode, setCachedBalance, setCachedConsumed } from '../journal/cards.ts';
import { lastEventSeq, otherWritesInFlight, otherWritesSince } from '../journal/ownership.ts';
import { getRedemption, type RedemptionRow } from '../journal/redemptions.ts';
import { formatFen } from '../../shared/money.ts';
import type { ReasonCode } from '../../shared/reasons.ts';
import { createLogger } from '../log.ts';
import type { Exchange } from '../wechat/client.ts';
import { reasonForError, WeChatError } from '../wechat/errors.ts';
import type { CardDefinition, CodeGetAnswer } from '../wechat/schemas.ts';
import { LOOKUP_FRESH_MS, monotonicMs, stopsTheOperation, type EngineContext } from './context.ts';
import { faultPoint, guardsWeakened } from './faults.ts';
import { CardBusyError, CardHoldLostError, GuardUnavailableError, isGuardRefusal } from './guard.ts';
import { fetchDefinition, lookupScanned, readCard, rememberCard } from './lookup.ts';
import { amountProblem, cardProblems, subCardTypeOf, type SubCardType } from './validate.ts';

const log = createLogger('engine');

/** The text the customer sees in the card's history (≤ 14 Chinese characters). */
export const recordBalanceText = (amountFen: number) => `门店消费${formatFen(amountFen)}元`;

/** A card as read for a redemption, with when (monotonic) and where in the journal's order. */
export type CardRead = Readonly<{ answer: CodeGetAnswer; definition: CardDefinition; seq: number; at: number }>;

/** The lookup went stale under us: another redemption of the card wrote since. Read again. */
class StaleRead extends Error {}

/** How many times a stale lookup is read again before the redemption is refused as busy. */
const MAX_REFRESHES = 2;

/** An unreachable store hub is, for the money path, an unreachable API: nothing is sent. */
export const hubUnavailable = (error: GuardUnavailableError) => new WeChatError('/hub/lease', { kind: 'unreachable', detail: error.message });

async function readForRedemption(ctx: EngineContext, row: RedemptionRow, record: (e: Exchange) => void, replay: boolean): Promise<CardRead> {
  const seq = lastEventSeq(ctx.db);
  const at = monotonicMs();
  const mapped = row.code_kind === 'wechat_dynamic' && !replay ? getDynamicCode(ctx.db, row.scanned_code) : undefined;
  const answer = mapped?.real_code
    ? await readCard(ctx, mapped.real_code, mapped.card_id, record)
    : await lookupScanned(ctx, row.scanned_code, record, replay && row.code_kind === 'wechat_dynamic');
  const definition = await fetchDefinition(ctx, answer.card.card_id, record);
  return { answer, definition, seq, at };
}

/** A queued row's card, read for its replay (a dynamic code long expired: is_expire_dynamic_code). */
export const readForReplay = (ctx: EngineContext, row: RedemptionRow, record: (e: Exchange) => void) => readForRedemption(ctx, row, record, true);

/** Reads a card again under the hold, by its real code. */
async function reread(ctx: EngineContext, row: RedemptionRow, read: CardRead): Promise<CardRead> {
  const seq = lastEventSeq(ctx.db);
  const at = monotonicMs();
  const answer = await readCard(ctx, read.answer.card.code, read.answer.card.card_id, ctx.exchanges.recorder(row.id));
  return { answer, definition: read.definition, seq, at };
}

/** From `pending`: lookup, validate, then deduct (or queue when the API is out of reach). */
export async function runPending(ctx: EngineContext, row: RedemptionRow): Promise<RedemptionRow> {
  await faultPoint('after-pending', ctx.db);
  let read: CardRead;
  try {
    read = await readForRedemption(ctx, row, ctx.exchanges.recorder(row.id), false);
    ctx.options.offline?.reportAvailable();
  } catch (error) {
    return lookupFailed(ctx, row, error);
  }
  return withRealCode(ctx, row, read, 'redeem', () => validateAndDeduct(ctx, row, read, false));
}

/** Holds the card by its real code too when it differs from the scanned one (a dynamic code). */
export async function withRealCode(
  ctx: EngineContext,
  row: RedemptionRow,
  read: CardRead,
  purpose: 'redeem' | 'replay',
  fn: () => Promise<RedemptionRow>,
): Promise<RedemptionRow> {
  const realCode = read.answer.card.code;
  if (realCode === row.scanned_code) return fn();
  try {
    return await ctx.holding([realCode], row.id, purpose, fn);
  } catch (error) {
    const current = getRedemption(ctx.db, row.id) ?? row;
    if (error instanceof CardBusyError && current.state === row.state) {
      if (purpose === 'replay') return current;
      return ctx.update(current, { state: 'declined', reason: 'card_held', detail: JSON.stringify({ holder: error.holder }) });
    }
    if (isGuardRefusal(error) && current.state === row.state && purpose !== 'replay') {
      return ctx.update(current, { state: 'declined', reason: 'hub_refused', detail: (error as Error).message });
    }
    if (error instanceof GuardUnavailableError && current.state === row.state) {
      if (purpose === 'replay') throw hubUnavailable(error);
      return lookupFailed(ctx, current, hubUnavailable(error));
    }
    throw error;
  }
}

/** The API (or the store hub) is out of reach before anything moved: the offline rules decide. */
export function lookupFailed(ctx: EngineContext, row: RedemptionRow, error: unknown): RedemptionRow {
  if (error instanceof WeChatError && error.apiUnavailable) {
    ctx.options.offline?.reportUnavailable(error);
    const policy = ctx.options.offline;
    if (policy) {
      const cachedReal = row.code_kind === 'card_code' ? row.scanned_code : null;
      let decision: ReturnType<typeof policy.decide> | null = null;
      // Decided inside the commit that queues the row, so two redemptions cannot both squeeze under one limit.
      const decided = ctx.update(
        row,
        () => {
          const d = policy.decide(ctx.db, { scannedCode: row.scanned_code, codeKind: row.code_kind, amountFen: row.amount_fen, realCode: cachedReal });
          decision = d;
          if (!d.accept) return { state: 'declined', reason: d.reason, detail: d.params ? JSON.stringify(d.params) : null };
          const cached = cachedReal ? getCachedCard(ctx.db, cachedReal) : undefined;
          return {
            state: 'queued',
            offline: 1,
            real_code: cachedReal,
            card_id: cached?.card_id ?? null,
            sub_card_type: (cached?.sub_card_type as SubCardType | null | undefined) ?? null,
            reason: null,
          };
        },
        { offline: reasonForError(error) },
      );
      const d = decision as ReturnType<typeof policy.decide> | null;
      log.info(`offline: ${d?.accept ? 'queued' : `declined (${d && !d.accept ? d.reason : '?'})`}`);
      return decided;
    }
  }
  return ctx.update(row, { state: 'declined', reason: reasonForError(error), detail: error instanceof Error ? error.message : null });
}

/**
 * Validates a fresh lookup, then commits `deducting` (or `consuming` for a voucher) and sends.
 * The commit refuses when another redemption of this card wrote since the lookup (the lookup is
 * read again, under the hold), or has a write in flight (card busy).
 */
export async function validateAndDeduct(ctx: EngineContext, row: RedemptionRow, read: CardRead, replay: boolean, refreshes = 0): Promise<RedemptionRow> {
  const { answer, definition } = read;
  const realCode = answer.card.code;
  const subCardType = subCardTypeOf(definition);
  const problems = cardProblems(answer, definition, ctx.options.scope, Math.floor(ctx.now() / 1000));
  const amountIssue = problems.length === 0 && subCardType ? amountProblem(subCardType, answer.card.balance, row.amount_fen) : null;
  const reason = problems[0] ?? amountIssue;
  const known = { real_code: realCode, card_id: answer.card.card_id, card_title: definition.title, sub_card_type: subCardType };
  const remember = () => {
    if (row.code_kind === 'wechat_dynamic') mapDynamicCode(ctx.db, row.scanned_code, realCode, answer.card.card_id);
    rememberCard(ctx, answer, definition);
  };
  if (reason) {
    // Live: the cashier is told and nothing moved. Replayed: the goods are gone, so a manager
    // decides (never a partial deduction on the terminal's own initiative).
    const detail = replay ? JSON.stringify({ replay: true, status: answer.user_card_status, balanceFen: answer.card.balance ?? null, queuedFen: row.amount_fen }) : null;
    return ctx.update(row, { ...known, state: replay ? 'needs_review' : 'declined', reason, detail, balance_before_fen: answer.card.balance ?? null }, undefined, remember);
  }
  // A lookup that is old, or that another redemption of this card has overtaken, is read again.
  if (monotonicMs() - read.at > LOOKUP_FRESH_MS && refreshes < MAX_REFRESHES) {
    return validateAndDeduct(ctx, row, await reread(ctx, row, read), replay, refreshes + 1);
  }
  const voucher = subCardType === 'VOUCHER';
  const before = answer.card.balance ?? 0;
  const target = voucher ? before : before - row.amount_fen;
  let started: RedemptionRow;
  try {
    started = ctx.update(
      row,
      () => {
        const refuse = () => (replay ? { ...known, state: 'queued' as const } : { ...known, state: 'declined' as const, reason: 'card_busy' as const });
        const checked = !guardsWeakened();
        // Another redemption of this card has a write whose outcome is not known yet.
        if (checked && otherWritesInFlight(ctx.db, realCode, row.id) > 0) return refuse();
        // Another redemption of this card wrote since our lookup: read again (under the hold).
        if (checked && otherWritesSince(ctx.db, realCode, row.id, read.seq) > 0) {
          if (refreshes >= MAX_REFRESHES) return refuse();
          throw new StaleRead();
        }
        return { ...known, state: voucher ? ('consuming' as const) : ('deducting' as const), balance_before_fen: before, target_balance_fen: target, attempts: 1 };
      },
      undefined,
      remember,
    );
  } catch (error) {
    if (error instanceof StaleRead) return validateAndDeduct(ctx, row, await reread(ctx, row, read), replay, refreshes + 1);
    throw error;
  }
  if (started.state === 'declined' || started.state === 'queued') return started;
  return voucher ? sendConsume(ctx, started, false) : sendUpdate(ctx, started);
}

/**
 * Nothing was applied and the service is to blame: a live redemption is declined (the cashier
 * can try again); a queued one goes back to the queue, since its goods are already gone.
 */
export function notApplied(ctx: EngineContext, row: RedemptionRow, reason: ReasonCode, detail: string | null): RedemptionRow {
  if (row.offline === 1) {
    return ctx.update(row, { state: 'queued', reason: null, detail, balance_before_fen: null, target_balance_fen: null }, { notApplied: reason });
  }
  return ctx.update(row, { state: 'declined', reason, detail });
}

/**
 * Before a write is sent: every hold on the card must outlast the request (a lease is renewed
 * first). A hold that cannot be kept means nothing is sent.
 */
async function keepHold(ctx: EngineContext, row: RedemptionRow): Promise<RedemptionRow | null> {
  const need = (ctx.options.requestTimeoutMs ?? 10_000) + 1_000;
  try {
    for (const hold of ctx.holdsOf(row.id)) {
      if (hold.remainingMs() < need) await hold.renew();
      if (hold.remainingMs() < need) throw new CardHoldLostError('the hold on the card does not cover the request');
    }
    return null;
  } catch (error) {
    if (!(error instanceof CardHoldLostError) && !(error instanceof GuardUnavailableError)) throw error;
    return notApplied(ctx, row, 'card_busy', error.message);
  }
}

/** Sends the absolute update of a `deducting` row and resolves its outcome. */
export async function sendUpdate(ctx: EngineContext, row: RedemptionRow): Promise<RedemptionRow> {
  const stopped = await keepHold(ctx, row);
  if (stopped) return stopped;
  const target = row.target_balance_fen ?? 0;
  for (const hold of ctx.holdsOf(row.id)) await hold.observe({ balanceBeforeFen: row.balance_before_fen, balanceSetFen: target });
  await faultPoint('before-update-send', ctx.db);
  ctx.sent.add(row.id);
  try {
    const sending = ctx.client.updateUser(
      { code: row.real_code ?? '', cardId: row.card_id ?? '', balanceFen: target, recordBalance: recordBalanceText(row.amount_fen) },
      ctx.exchanges.recorder(row.id),
    );
    void faultPoint('update-sent', ctx.db);
    const answer = await sending;
    await faultPoint('after-update-answer', ctx.db);
    if (answer.result_balance !== target) {
      return ctx.update(row, {
        state: 'needs_review',
        reason: 'unexpected_result',
        balance_after_fen: answer.result_balance,
        detail: JSON.stringify({ storedFen: answer.result_balance, targetFen: target, ourWriteMayHaveLanded: true }),
      });
    }
    return applied(ctx, row);
  } catch (error) {
    if (error instanceof WeChatError && error.outcomeUnknown) return resolveUpdate(ctx, row, error.message);
    if (stopsTheOperation(error)) throw error;
    // The service refused the write (or no token could be had for it): nothing applied.
    if (error instanceof WeChatError && error.apiUnavailable) ctx.options.offline?.reportUnavailable(error);
    return notApplied(ctx, row, reasonForError(error), (error as Error).message);
  }
}

/** Reads the balance back after an unknown outcome (docs/wechat-api.md: "Outcomes that are unknown"). */
export async function resolveUpdate(ctx: EngineContext, row: RedemptionRow, why: string, resendAllowed = true): Promise<RedemptionRow> {
  const readBack = await readBackCard(ctx, row);
  if (readBack === null) {
    return ctx.update(row, { reason: 'outcome_unknown', detail: `${why}; read-back failed, recovery will check again` });
  }
  const before = row.balance_before_fen ?? -1;
  const target = row.target_balance_fen ?? -1;
  const balance = readBack.card.balance;
  if (balance === target) {
    ctx.exchanges.note(row.id, 'read_back', { balance, verdict: 'applied' });
    return applied(ctx, row);
  }
  if (balance === before && readBack.user_card_status === 'NORMAL') {
    if (!resendAllowed) {
      return ctx.update(row, { state: 'declined', reason: 'interrupted', detail: `${why}; read-back shows the balance untouched` });
    }
    if (row.attempts >= ctx.maxWriteAttempts) return notApplied(ctx, row, 'service_busy', `${why}; not applied after ${row.attempts} attempts`);
    await ctx.backoff(row.attempts);
    // Not applied: send the same absolute update again (harmless if a late copy lands too).
    const next = ctx.update(row, { attempts: row.attempts + 1 }, { readBack: balance, verdict: 'not applied, resending' });
    return sendUpdate(ctx, next);
  }
  // Neither what it was nor what we set: someone else wrote the card, before or after our write.
  // A guard shared between counters may know what the next holder of the card saw.
  const known = await askGuard(ctx, row);
  if (known === 'applied') {
    ctx.exchanges.note(row.id, 'read_back', { balance, verdict: 'applied (the next holder of the card read our balance)' });
    return applied(ctx, row);
  }
  if (known === 'not_applied') return notApplied(ctx, row, 'interrupted', `${why}; the next holder of the card read the balance before ours`);
  return ctx.update(row, {
    state: 'needs_review',
    reason: 'balance_conflict',
    balance_after_fen: balance ?? null,
    detail: JSON.stringify({ why, readBackFen: balance ?? null, status: readBack.user_card_status, beforeFen: before, targetFen: target, ourWriteMayHaveLanded: true }),
  });
}

async function askGuard(ctx: EngineContext, row: RedemptionRow): Promise<'applied' | 'not_applied' | 'unknown'> {
  if (!ctx.guard.resolveInterrupted || !row.real_code) return 'unknown';
  try {
    return (await ctx.guard.resolveInterrupted(row.real_code, row.id)).outcome;
  } catch {
    return 'unknown';
  }
}

export async function readBackCard(ctx: EngineContext, row: RedemptionRow): Promise<CodeGetAnswer | null> {
  const tries = ctx.options.maxReadBacks ?? 3;
  for (let attempt = 0; attempt < tries; attempt++) {
    try {
      return await readCard(ctx, row.real_code ?? '', row.card_id, ctx.exchanges.recorder(row.id));
    } catch (error) {
      if (error instanceof WeChatError && error.failure.kind === 'api' && error.errcode !== -1 && error.errcode !== 45011) {
        // The service answered: the card is gone (40056 …). Keep what we know for review.
        return null;
      }
      await ctx.backoff(attempt);
    }
  }
  return null;
}

/** The deduction is applied: settle, or retire an emptied card first. */
export async function applied(ctx: EngineContext, row: RedemptionRow): Promise<RedemptionRow> {
  const target = row.target_balance_fen ?? 0;
  if (target === 0) {
    const consuming = ctx.update(row, { state: 'consuming', balance_after_fen: 0, attempts: 1 });
    await faultPoint('before-consume', ctx.db);
    return sendConsume(ctx, consuming, true);
  }
  return ctx.update(row, { state: 'settled', balance_after_fen: target, reason: null }, undefined, () => setCachedBalance(ctx.db, row.real_code ?? '', target, ctx.now()));
}

/**
 * Sends code/consume for a `consuming` row. `afterDeduction`: a stored-value card emptied by
 * this redemption (money already moved); otherwise a voucher, for which consume is the redemption.
 */
export async function sendConsume(ctx: EngineContext, row: RedemptionRow, afterDeduction: boolean): Promise<RedemptionRow> {
  if (!afterDeduction) {
    const stopped = await keepHold(ctx, row);
    if (stopped) return stopped;
  }
  ctx.sent.add(row.id);
  try {
    await ctx.client.consume({ code: row.real_code ?? '', cardId: row.card_id ?? '' }, ctx.exchanges.recorder(row.id));
    await faultPoint('after-consume-answer', ctx.db);
    return settleConsumed(ctx, row);
  } catch (error) {
    if (stopsTheOperation(error)) throw error;
    if (!(error instanceof WeChatError)) {
      if (afterDeduction) return ctx.update(row, { reason: 'outcome_unknown', detail: `consume failed: ${(error as Error).message}` });
      return notApplied(ctx, row, reasonForError(error), (error as Error).message);
    }
    if (error.errcode === 40099) {
      // Already consumed. After our own deduction to 0, or on a resend, that was us.
      if (afterDeduction || row.attempts > 1) return settleConsumed(ctx, row);
      return ctx.update(row, { state: 'needs_review', reason: 'balance_conflict', detail: JSON.stringify({ voucherConsumedElsewhere: true }) });
    }
    if (error.outcomeUnknown) return resolveConsume(ctx, row, afterDeduction, error.message);
    if (afterDeduction) {
      // The money moved; only retiring the code failed. Recovery retries it.
      return ctx.update(row, { reason: 'outcome_unknown', detail: `consume failed: ${error.message}` });
    }
    return notApplied(ctx, row, reasonForError(error), error.message);
  }
}

export async function resolveConsume(ctx: EngineContext, row: RedemptionRow, afterDeduction: boolean, why: string, resendAllowed = true): Promise<RedemptionRow> {
  const readBack = await readBackCard(ctx, row);
  if (readBack === null) return ctx.update(row, { reason: 'outcome_unknown', detail: `${why}; read-back failed` });
  if (readBack.user_card_status === 'CONSUMED') return settleConsumed(ctx, row);
  if (readBack.user_card_status === 'NORMAL') {
    if (!afterDeduction && !resendAllowed) {
      return ctx.update(row, { state: 'declined', reason: 'interrupted', detail: `${why}; the voucher was not consumed` });
    }
    if (row.attempts >= ctx.maxWriteAttempts) {
      if (afterDeduction) return ctx.update(row, { reason: 'outcome_unknown', detail: `${why}; consume not applied yet` });
      return notApplied(ctx, row, 'service_busy', `${why}; not applied after ${row.attempts} attempts`);
    }
    await ctx.backoff(row.attempts);
    return sendConsume(ctx, ctx.update(row, { attempts: row.attempts + 1 }), afterDeduction);
  }
  return ctx.update(row, { state: 'needs_review', reason: 'balance_conflict', detail: JSON.stringify({ why, status: readBack.user_card_status }) });
}

function settleConsumed(ctx: EngineContext, row: RedemptionRow): RedemptionRow {
  return ctx.update(row, { state: 'settled', reason: null, balance_after_fen: row.sub_card_type === 'VOUCHER' ? null : 0 }, undefined, () =>
    setCachedConsumed(ctx.db, row.real_code ?? '', ctx.now()),
  );
}
