/**
 * The redemption engine: lookup → validate → deduct (absolute balance) → consume → settled, with
 * every transition committed to the journal before the next network call, guarded by the state
 * machine (shared/states.ts), and every card held by one writer (docs/architecture.md). An
 * unknown outcome is resolved by reading the balance back, never by deducting again.
 *
 * This file is the entry point; the lifecycle lives beside it:
 * - lookup.ts      reading a card, the balance inquiry
 * - write-path.ts  pending → deducting → settled, read-back
 * - recovery.ts    restart and background resolution, offline replay
 * - manager.ts     void and review decisions
 * - exchanges.ts   journaling API exchanges with the next commit
 * - context.ts     what they share: guarded updates, holds, ownership
 */
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { AMOUNT_REASONS } from '../../shared/reasons.ts';
import { parseYuanToFen } from '../../shared/money.ts';
import { err, ok, type Result } from '../../shared/result.ts';
import { claimDynamicCode } from '../journal/cards.ts';
import { setRedemptionOwner } from '../journal/ownership.ts';
import { getRedemption, insertRedemption, TransitionLostError, type RedemptionRow } from '../journal/redemptions.ts';
import { createLogger } from '../log.ts';
import { EngineContext, type EngineOptions, type Failure } from './context.ts';
import { CardBusyError, GuardUnavailableError, isGuardRefusal } from './guard.ts';
import { checkCode, lookup, rejectInput, type CardLookup } from './lookup.ts';
import { resolveReview, voidRedemption, type ReviewAction } from './manager.ts';
import { recover, replay, resolve, type RecoverOptions } from './recovery.ts';
import { hubUnavailable, lookupFailed, runPending } from './write-path.ts';

export type { CardLookup } from './lookup.ts';
export type { EngineOptions, Failure, OfflineDecision, OfflinePolicy } from './context.ts';
export { normaliseScannedCode } from './lookup.ts';
export { recordBalanceText } from './write-path.ts';
export { voidRecordText } from './manager.ts';

const log = createLogger('engine');

export type RedeemInput = Readonly<{
  code: string;
  /** As typed at the till ("35.50"), or integer fen. */
  amount: string | Readonly<{ fen: number }>;
  cashier: string;
  scannedAt?: number;
  /**
   * A partial redemption: the card covers `amount`, the cashier collects this much more another
   * way (cash). Journaled with the row, printed on the receipt, counted in the totals.
   */
  shortfallFen?: number;
}>;

/** The journal could not be written: before anything was sent, nothing moved. */
const isStorageError = (error: unknown) => error instanceof Database.SqliteError;

export class Engine {
  readonly db: EngineContext['db'];
  readonly client: EngineContext['client'];
  private readonly ctx: EngineContext;

  constructor(options: EngineOptions) {
    this.ctx = new EngineContext(options);
    this.db = this.ctx.db;
    this.client = this.ctx.client;
  }

  /** Who this engine is, as other processes on this data dir see it. */
  get ownerId(): string {
    return this.ctx.ownership.ownerId;
  }

  /** Every committed change of a redemption, for the UI. */
  onChange(listener: (row: RedemptionRow) => void): () => void {
    return this.ctx.onChange(listener);
  }

  /** Balance inquiry: the card, its balance and whether it can be redeemed here. Moves nothing. */
  lookup(rawCode: string): Promise<Result<CardLookup, Failure>> {
    return lookup(this.ctx, rawCode);
  }

  /**
   * Runs an operation on a redemption so that neither a lost race nor a failing disk turns into
   * a wrong answer: a transition another process won answers the row as that process left it; a
   * journal that cannot be written after a request was sent answers the row as in flight with an
   * unknown outcome (recovery resolves it — never retry), and before that, `journal_unavailable`.
   */
  private async safely(id: string, last: () => RedemptionRow | undefined, fn: () => Promise<Result<RedemptionRow, Failure>>): Promise<Result<RedemptionRow, Failure>> {
    let lastSeen: RedemptionRow | undefined;
    const stop = this.ctx.onChange((row) => {
      if (row.id === id) lastSeen = row;
    });
    try {
      return await fn();
    } catch (error) {
      if (error instanceof TransitionLostError) {
        log.warn(`another process moved ${id} first; stopped`, { expected: error.expected, found: error.found });
        const current = getRedemption(this.db, id);
        return current ? ok(current) : err({ reason: 'not_found' });
      }
      if (!isStorageError(error)) throw error;
      log.error('the journal could not be written', { id, message: (error as Error).message, sent: this.ctx.sent.has(id) });
      const known = lastSeen ?? last();
      if (this.ctx.sent.has(id) && known) return ok({ ...known, reason: 'outcome_unknown' });
      return err({ reason: 'journal_unavailable' });
    } finally {
      stop();
      this.ctx.sent.delete(id);
    }
  }

  /**
   * Redeems `amount` from the scanned card. Resolves to the journal row (settled, declined,
   * needs_review, queued — or deducting/consuming when the outcome could not be read back yet,
   * which recovery finishes), or to a failure for input refused before any row was written.
   */
  async redeem(input: RedeemInput): Promise<Result<RedemptionRow, Failure>> {
    const ctx = this.ctx;
    let amountFen: number;
    if (typeof input.amount === 'string') {
      const parsed = parseYuanToFen(input.amount);
      if (!parsed.ok) {
        return err(rejectInput(ctx, 'amount', AMOUNT_REASONS[parsed.error], { length: input.amount.length, amount: input.amount.slice(0, 32) }));
      }
      amountFen = parsed.fen;
    } else {
      if (!Number.isSafeInteger(input.amount.fen) || input.amount.fen <= 0) {
        return err(rejectInput(ctx, 'amount', 'amount_format', { fen: String(input.amount.fen) }));
      }
      amountFen = input.amount.fen;
    }
    if (input.shortfallFen !== undefined && (!Number.isSafeInteger(input.shortfallFen) || input.shortfallFen <= 0)) {
      return err(rejectInput(ctx, 'amount', 'amount_format', { shortfallFen: String(input.shortfallFen) }));
    }
    const checked = checkCode(ctx, input.code);
    if (!checked.ok) return checked;
    const { code, kind } = checked.value;
    const id = randomUUID();
    const scannedAt = input.scannedAt ?? ctx.now();
    const base = {
      id,
      terminal_id: ctx.options.terminalId,
      cashier: input.cashier,
      scanned_code: code,
      code_kind: kind,
      scanned_at: scannedAt,
      amount_fen: amountFen,
      shortfall_fen: input.shortfallFen ?? null,
    } as const;
    const insert = (state: 'pending' | 'declined', reason: Failure['reason'] | null = null, detail: string | null = null) => {
      const row = ctx.exchanges.tx(id, () => {
        const inserted = insertRedemption(ctx.db, { ...base, created_at: ctx.now(), state, reason, detail });
        if (state === 'pending') setRedemptionOwner(ctx.db, id, ctx.ownership.ownerId, ctx.now());
        return inserted;
      });
      return ctx.changed(row);
    };
    let row: RedemptionRow | undefined;
    return this.safely(id, () => row, () =>
      ctx.working(id, async () => {
        try {
          return await ctx.holding([code], id, 'redeem', async () => {
            // Commit 1: the redemption exists before any API call. A dynamic code is remembered
            // in the same transaction; a second presentation is a replay, declined on the spot.
            if (kind === 'wechat_dynamic') {
              const claim = ctx.exchanges.tx(id, () => claimDynamicCode(ctx.db, code, id, ctx.now()));
              const elsewhere = claim !== 'replay' && ctx.guard.claimDynamicCode ? await ctx.guard.claimDynamicCode(code, id) : 'claimed';
              if (claim === 'replay' || elsewhere === 'replay') return ok((row = insert('declined', 'dynamic_code_replay')));
            }
            row = insert('pending');
            return ok(await runPending(ctx, row));
          });
        } catch (error) {
          if (row) throw error;
          // Refused before the redemption was journaled: journal it now, with why.
          if (error instanceof CardBusyError) return ok((row = insert('declined', 'card_held', JSON.stringify({ holder: error.holder }))));
          // A hub that refuses this counter (revoked): declined, never taken offline.
          if (isGuardRefusal(error)) return ok((row = insert('declined', 'hub_refused', (error as Error).message)));
          if (error instanceof GuardUnavailableError) return ok(lookupFailed(ctx, (row = insert('pending')), hubUnavailable(error)));
          throw error;
        }
      }),
    );
  }

  /** Forwards one queued (offline) redemption; throws the WeChatError while the API is out of reach. */
  replay(id: string): Promise<RedemptionRow | undefined> {
    return replay(this.ctx, id);
  }

  /** Brings one unfinished redemption this process owns to a final state. */
  resolve(id: string): Promise<RedemptionRow | undefined> {
    return resolve(this.ctx, id);
  }

  /**
   * Every start: resumes unfinished redemptions nobody alive owns (queued ones are left to the
   * offline replay). While running, the replay job calls it with `olderThanMs` for this
   * process's own rows left unresolved for a while (an outcome that could not be read back yet).
   */
  recover(options: RecoverOptions = {}): Promise<RedemptionRow[]> {
    return recover(this.ctx, options);
  }

  /** A manager's decision on a redemption held for review, journaled with who and why. */
  async resolveReview(id: string, action: ReviewAction, manager: string, note: string): Promise<Result<RedemptionRow, Failure>> {
    return this.safely(id, () => getRedemption(this.db, id), () => resolveReview(this.ctx, id, action, manager, note));
  }

  /** A manager reverses a settled redemption of today when the card has not moved since. */
  async void(id: string, manager: string): Promise<Result<RedemptionRow, Failure>> {
    return this.safely(id, () => getRedemption(this.db, id), () => voidRedemption(this.ctx, id, manager));
  }

  /** Ends this process's ownership cleanly (its rows become others' to recover). */
  close(): void {
    this.ctx.ownership.close();
  }
}
