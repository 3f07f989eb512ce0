/**
 * A manager's actions on the journal, each journaled with who and why, each under the card's
 * hold: voiding one of today's settled redemptions, and deciding on one held for review.
 */
import { formatFen } from '../../shared/money.ts';
import type { ReasonCode } from '../../shared/reasons.ts';
import { err, ok, type Result } from '../../shared/result.ts';
import { setCachedBalance } from '../journal/cards.ts';
import { appendEvent } from '../journal/events.ts';
import { getRedemption, localDate, TransitionLostError, type RedemptionRow } from '../journal/redemptions.ts';
import { reasonForError, WeChatError } from '../wechat/errors.ts';
import type { CodeGetAnswer } from '../wechat/schemas.ts';
import { stopsTheOperation, type EngineContext, type Failure } from './context.ts';
import { faultPoint } from './faults.ts';
import { CardBusyError, GuardUnavailableError } from './guard.ts';
import { readCard } from './lookup.ts';
import { replayHeld } from './recovery.ts';
import { readBackCard, sendUpdate } from './write-path.ts';

export const voidRecordText = (amountFen: number) => `门店撤销${formatFen(amountFen)}元`;

export type ReviewAction = 'retry' | 'settle_partial' | 'write_off' | 'collected_other';

/**
 * Whether an update of ours may be on the card: a write was sent (the row targeted a balance)
 * and nothing proved it was not applied. Such a row is never deducted again from a fresh balance,
 * which may already contain our write.
 */
export const writeMayHaveLanded = (row: RedemptionRow) => row.target_balance_fen !== null && row.sub_card_type !== 'VOUCHER';

/** What is known, plus who decided and why: kept as JSON when the detail is JSON, as a line otherwise. */
function withDecision(detail: string | null, manager: string, note: string): string {
  if (detail?.startsWith('{')) {
    try {
      return JSON.stringify({ ...(JSON.parse(detail) as Record<string, unknown>), manager, note });
    } catch {
      // not JSON after all: a line below it
    }
  }
  return `${detail ?? ''}\n${manager}: ${note}`.trim();
}

/** Runs a manager action holding the card; a busy card or an unreachable hub refuses it. */
async function managed<T>(ctx: EngineContext, row: RedemptionRow, fn: () => Promise<Result<T, Failure>>): Promise<Result<T, Failure>> {
  try {
    return await ctx.working(row.id, () => ctx.holding([row.scanned_code, row.real_code ?? row.scanned_code], row.id, 'review', fn));
  } catch (error) {
    if (error instanceof CardBusyError) return err({ reason: 'card_held', params: { holder: error.holder } });
    if (error instanceof GuardUnavailableError) return err({ reason: 'network_unavailable' });
    if (error instanceof TransitionLostError) return err({ reason: 'invalid_request' });
    throw error;
  }
}

/**
 * A manager's decision on a redemption held for review:
 * - retry: back into the queue and forwarded now, through the exactly-once path — refused when
 *   our earlier write may already be on the card (it never deducts from a balance that may
 *   contain it: the card's history in WeChat decides, then write_off or collected_other);
 * - settle_partial: deduct what the card still holds (emptying it), record the shortfall —
 *   refused for the same reason;
 * - write_off: record the loss; collected_other: record payment taken another way (cash).
 */
export async function resolveReview(ctx: EngineContext, id: string, action: ReviewAction, manager: string, note: string): Promise<Result<RedemptionRow, Failure>> {
  const initial = getRedemption(ctx.db, id);
  if (!initial) return err({ reason: 'not_found' });
  const who = { manager, action, note };
  return managed(ctx, initial, async () => {
    const row = getRedemption(ctx.db, id);
    if (!row || row.state !== 'needs_review') return err({ reason: 'invalid_request' });
    if (action === 'write_off' || action === 'collected_other') {
      return ok(ctx.update(row, { state: action === 'write_off' ? 'written_off' : 'collected_other', detail: withDecision(row.detail, manager, note) }, who));
    }
    if (writeMayHaveLanded(row)) {
      // Establish what happened first: a fresh read, journaled; the manager decides with it.
      let balance: number | null = null;
      try {
        balance = (await readCard(ctx, row.real_code ?? '', row.card_id, ctx.exchanges.recorder(row.id))).card.balance ?? null;
      } catch {
        balance = null;
      }
      ctx.exchanges.tx(row.id, () => appendEvent(ctx.db, { redemptionId: row.id, kind: 'review_refused', data: { ...who, reason: 'review_write_may_have_landed', balanceFen: balance } }));
      return err({ reason: 'review_write_may_have_landed', params: { balance: balance === null ? '?' : formatFen(balance) } });
    }
    if (action === 'retry') {
      const queued = ctx.update(row, { state: 'queued', offline: 1, reason: null }, who);
      try {
        return ok((await replayHeld(ctx, id)) ?? queued);
      } catch (error) {
        // Still unreachable: it stays queued and the replay job forwards it later.
        if (error instanceof WeChatError) return ok(getRedemption(ctx.db, id) ?? queued);
        throw error;
      }
    }
    // settle_partial: a fresh read of the card decides how much is left.
    let answer: CodeGetAnswer;
    try {
      answer = await ctx.client.getCode(
        { code: row.real_code ?? row.scanned_code, cardId: row.card_id ?? undefined, checkConsume: false, isExpireDynamicCode: row.real_code === null && row.code_kind === 'wechat_dynamic' },
        ctx.exchanges.recorder(row.id),
      );
    } catch (error) {
      return err({ reason: reasonForError(error) });
    }
    const balance = answer.card.balance ?? 0;
    if (answer.user_card_status !== 'NORMAL' || balance <= 0 || row.sub_card_type === 'VOUCHER') return err({ reason: 'insufficient_balance' });
    const part = Math.min(balance, row.amount_fen);
    const shortfall = row.amount_fen - part;
    const deducting = ctx.update(
      row,
      {
        state: 'deducting',
        real_code: answer.card.code,
        card_id: answer.card.card_id,
        amount_fen: part,
        shortfall_fen: shortfall > 0 ? shortfall : null,
        balance_before_fen: balance,
        target_balance_fen: balance - part,
        attempts: 1,
        reason: null,
        detail: JSON.stringify({ partial: true, takenFen: part, askedFen: row.amount_fen, shortfallFen: shortfall, manager, note }),
      },
      { ...who, shortfallFen: shortfall },
    );
    return ok(await sendUpdate(ctx, deducting));
  });
}

/**
 * A manager reverses a settled redemption of today when the card has not moved since: the
 * balance is set back to what it was before. A consumed (emptied or voucher) card cannot be.
 */
export async function voidRedemption(ctx: EngineContext, id: string, manager: string): Promise<Result<RedemptionRow, Failure>> {
  const initial = getRedemption(ctx.db, id);
  if (!initial) return err({ reason: 'not_found' });
  return managed(ctx, initial, async () => {
    // A refused void is journaled too (who tried, why it was refused), with its read-back.
    const refuse = (reason: ReasonCode): Result<never, Failure> => {
      ctx.exchanges.tx(id, () => appendEvent(ctx.db, { redemptionId: id, kind: 'void_refused', data: { manager, reason } }));
      return err({ reason });
    };
    const row = getRedemption(ctx.db, id);
    if (!row || row.state !== 'settled') return refuse('void_not_settled');
    if (localDate(row.created_at) !== localDate(ctx.now())) return refuse('void_not_today');
    if (row.sub_card_type === 'VOUCHER' || row.balance_after_fen === 0) return refuse('void_consumed');
    let current: CodeGetAnswer;
    try {
      current = await readCard(ctx, row.real_code ?? '', row.card_id, ctx.exchanges.recorder(row.id));
    } catch (error) {
      return refuse(reasonForError(error));
    }
    if (current.user_card_status === 'CONSUMED') return refuse('void_consumed');
    if (current.card.balance !== row.balance_after_fen || current.user_card_status !== 'NORMAL') return refuse('void_card_moved');
    const voiding = ctx.update(row, { state: 'voiding', attempts: row.attempts + 1 }, { manager, action: 'void' });
    return ok(await sendVoid(ctx, voiding));
  });
}

async function sendVoid(ctx: EngineContext, row: RedemptionRow): Promise<RedemptionRow> {
  const restore = row.balance_before_fen ?? 0;
  for (const hold of ctx.holdsOf(row.id)) await hold.observe({ balanceBeforeFen: row.balance_after_fen, balanceSetFen: restore });
  await faultPoint('before-void-send', ctx.db);
  ctx.sent.add(row.id);
  try {
    const answer = await ctx.client.updateUser(
      { code: row.real_code ?? '', cardId: row.card_id ?? '', balanceFen: restore, recordBalance: voidRecordText(row.amount_fen) },
      ctx.exchanges.recorder(row.id),
    );
    if (answer.result_balance !== restore) {
      return ctx.update(row, { state: 'needs_review', reason: 'unexpected_result', detail: JSON.stringify({ void: true, storedFen: answer.result_balance, targetFen: restore }) });
    }
    return voided(ctx, row);
  } catch (error) {
    if (error instanceof WeChatError && error.outcomeUnknown) return resolveVoid(ctx, row, error.message);
    if (stopsTheOperation(error)) throw error;
    // Refused: nothing changed, the redemption stands.
    return ctx.update(row, { state: 'settled', detail: `void refused: ${(error as Error).message}` });
  }
}

export async function resolveVoid(ctx: EngineContext, row: RedemptionRow, why: string): Promise<RedemptionRow> {
  const readBack = await readBackCard(ctx, row);
  if (readBack === null) return ctx.update(row, { reason: 'outcome_unknown', detail: `void: ${why}; read-back failed` });
  const balance = readBack.card.balance;
  if (balance === row.balance_before_fen) return voided(ctx, row);
  if (balance === row.balance_after_fen && readBack.user_card_status === 'NORMAL') {
    if (row.attempts >= ctx.maxWriteAttempts + 1) return ctx.update(row, { state: 'settled', detail: `void not applied: ${why}` });
    await ctx.backoff(row.attempts);
    return sendVoid(ctx, ctx.update(row, { attempts: row.attempts + 1 }));
  }
  return ctx.update(row, { state: 'needs_review', reason: 'balance_conflict', detail: JSON.stringify({ void: true, why, readBackFen: balance ?? null }) });
}

function voided(ctx: EngineContext, row: RedemptionRow): RedemptionRow {
  return ctx.update(row, { state: 'voided', reason: null, detail: null }, undefined, () => setCachedBalance(ctx.db, row.real_code ?? '', row.balance_before_fen, ctx.now()));
}
