/**
 * Bringing unfinished redemptions to a final state: after a restart (or a crash of another
 * process on this data dir), and in the background for outcomes that could not be read back when
 * they happened; and forwarding queued (offline) redemptions through the same exactly-once path.
 *
 * A row a live process owns is never touched: its owner finishes it. A dead owner's row is taken
 * over explicitly (journaled), then resolved under the card's hold.
 */
import { UNFINISHED_STATES } from '../../shared/states.ts';
import { getRedemptionOwner, listWithOwners, takeOverRedemption } from '../journal/ownership.ts';
import { getRedemption, TransitionLostError, type RedemptionRow } from '../journal/redemptions.ts';
import { inTransaction } from '../journal/db.ts';
import { createLogger } from '../log.ts';
import { reasonForError, WeChatError } from '../wechat/errors.ts';
import { monotonicMs, type EngineContext } from './context.ts';
import { CardBusyError, GuardUnavailableError } from './guard.ts';
import { resolveVoid } from './manager.ts';
import { hubUnavailable, readForReplay, resolveConsume, resolveUpdate, runPending, validateAndDeduct, withRealCode } from './write-path.ts';

const log = createLogger('recovery');

export type RecoverOptions = Readonly<{
  /**
   * Background mode: only this process's own rows left unresolved at least this long (monotonic
   * clock), and dead owners' rows. Without it (a start, `gcterm recover`): every row nobody alive owns.
   */
  olderThanMs?: number;
  /** Told about each row left alone because a live process owns it. */
  onSkip?: (row: Readonly<{ id: string; state: string; holder: string }>) => void;
}>;

/** Every unfinished redemption nobody alive is working on, resolved by the rules of the live path. */
export async function recover(ctx: EngineContext, options: RecoverOptions = {}): Promise<RedemptionRow[]> {
  const me = ctx.ownership.ownerId;
  const results: RedemptionRow[] = [];
  for (const candidate of listWithOwners(ctx.db, UNFINISHED_STATES)) {
    if (candidate.owner_id === me) {
      if (ctx.active.has(candidate.id)) continue;
      const touched = ctx.lastTouched.get(candidate.id);
      if (options.olderThanMs !== undefined && touched !== undefined && monotonicMs() - touched < options.olderThanMs) continue;
    } else if (ctx.ownership.isAlive(candidate.owner_id)) {
      options.onSkip?.({ id: candidate.id, state: candidate.state, holder: ctx.ownership.describe(candidate.owner_id ?? '') });
      continue;
    } else {
      const from = candidate.owner_id;
      const taken = inTransaction(ctx.db, () => takeOverRedemption(ctx.db, candidate.id, from, me, ctx.now(), from === null ? 'no owner' : 'owner process ended'));
      if (!taken) continue; // another process took it first
      ctx.ownership.forgetIfDead(from);
    }
    const resolved = await resolve(ctx, candidate.id);
    if (resolved) results.push(resolved);
  }
  return results;
}

/**
 * Brings one unfinished redemption this process owns to a final state by the same rules as the
 * live path. `pending` and `deducting` rows of a live redemption interrupted longer ago than the
 * resume window — or at a time the clock cannot place (it jumped) — are not completed: the
 * customer has gone and was never told "approved".
 */
export async function resolve(ctx: EngineContext, id: string): Promise<RedemptionRow | undefined> {
  const initial = getRedemption(ctx.db, id);
  if (!initial) return undefined;
  try {
    return await ctx.working(id, () =>
      ctx.holding([initial.scanned_code, initial.real_code ?? initial.scanned_code], id, 'recover', async () => {
        const row = getRedemption(ctx.db, id);
        if (!row || !UNFINISHED_STATES.includes(row.state) || getRedemptionOwner(ctx.db, id) !== ctx.ownership.ownerId) return row;
        const age = ctx.now() - row.updated_at;
        const fresh = row.offline === 1 || (age >= 0 && age <= (ctx.options.resumeWindowMs ?? 10 * 60_000));
        switch (row.state) {
          case 'pending':
            if (!fresh) return ctx.update(row, { state: 'declined', reason: 'interrupted', detail: age < 0 ? 'interrupted; the clock went back since' : 'interrupted before anything was sent' });
            return runPending(ctx, row);
          case 'deducting':
            return resolveUpdate(ctx, row, 'resumed after interruption', fresh);
          case 'consuming':
            return resolveConsume(ctx, row, row.sub_card_type !== 'VOUCHER', 'resumed after interruption', fresh);
          case 'voiding':
            return resolveVoid(ctx, row, 'resumed after interruption');
          default:
            return row;
        }
      }),
    );
  } catch (error) {
    if (error instanceof CardBusyError || error instanceof GuardUnavailableError || error instanceof TransitionLostError) {
      log.info(`left for later: ${id}: ${error.message}`);
      return getRedemption(ctx.db, id);
    }
    throw error;
  }
}

/**
 * Forwards one queued (offline) redemption through the same exactly-once path. A dynamic code
 * is resolved with is_expire_dynamic_code, since it has long timed out. Throws the WeChatError
 * when the API (or the store hub) is still out of reach (the row stays queued, the replayer backs off).
 */
export async function replay(ctx: EngineContext, id: string): Promise<RedemptionRow | undefined> {
  const initial = getRedemption(ctx.db, id);
  if (!initial || initial.state !== 'queued') return initial;
  try {
    return await ctx.working(id, () =>
      ctx.holding([initial.scanned_code, initial.real_code ?? initial.scanned_code], id, 'replay', () => replayHeld(ctx, id)),
    );
  } catch (error) {
    if (error instanceof CardBusyError) return getRedemption(ctx.db, id); // still queued: next pass
    if (error instanceof GuardUnavailableError) throw hubUnavailable(error);
    if (error instanceof TransitionLostError) return getRedemption(ctx.db, id);
    throw error;
  }
}

/** Replays a queued row whose card this process holds. */
export async function replayHeld(ctx: EngineContext, id: string): Promise<RedemptionRow | undefined> {
  const row = getRedemption(ctx.db, id);
  if (!row || row.state !== 'queued') return row;
  const record = ctx.exchanges.recorder(row.id);
  let read;
  try {
    read = await readForReplay(ctx, row, record);
  } catch (error) {
    if (error instanceof WeChatError && (error.apiUnavailable || error.errcode === 45011)) {
      ctx.exchanges.tx(row.id, () => undefined);
      throw error;
    }
    return ctx.update(row, { state: 'needs_review', reason: reasonForError(error), detail: JSON.stringify({ replay: true, error: (error as Error).message }) });
  }
  return withRealCode(ctx, row, read, 'replay', () => validateAndDeduct(ctx, row, read, true));
}
