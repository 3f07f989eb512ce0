/**
 * Offline mode: whether the API is reachable, which redemptions may be accepted while it is not
 * (the manager's limits, each refusal naming its rule), and the replay that forwards the queue
 * exactly once when it is back.
 */
import { formatYuan } from '../../shared/money.ts';
import type { ReasonCode } from '../../shared/reasons.ts';
import type { OfflineLimits } from '../config.ts';
import { getCachedCard } from '../journal/cards.ts';
import type { Db } from '../journal/db.ts';
import { queueStatus } from '../journal/queue.ts';
import { listRedemptions, type RedemptionRow } from '../journal/redemptions.ts';
import { createLogger } from '../log.ts';
import { WeChatError } from '../wechat/errors.ts';
import type { Engine, OfflineDecision, OfflinePolicy } from './engine.ts';
import { isExpired, userCardStatusReason } from './validate.ts';

const log = createLogger('offline');

export type ConnectivityStatus = Readonly<{ online: boolean; since: number; lastError: string | null }>;

/** Online/offline as the engine and the replayer observe it. */
export class Connectivity {
  private state: { online: boolean; since: number; lastError: string | null };
  private readonly listeners = new Set<(status: ConnectivityStatus) => void>();

  constructor(now: number = Date.now()) {
    this.state = { online: true, since: now, lastError: null };
  }

  get status(): ConnectivityStatus {
    return { ...this.state };
  }

  onChange(listener: (status: ConnectivityStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private set(online: boolean, lastError: string | null): void {
    const changed = this.state.online !== online;
    this.state = { online, since: changed ? Date.now() : this.state.since, lastError };
    if (changed) {
      log.warn(online ? 'API reachable again' : `API unreachable: ${lastError ?? ''}`);
      for (const listener of this.listeners) listener(this.status);
    }
  }

  reportUnavailable(error: WeChatError): void {
    this.set(false, error.message);
  }

  reportAvailable(): void {
    this.set(true, null);
  }
}

const refuse = (reason: ReasonCode, params?: Readonly<Record<string, string | number>>): OfflineDecision => ({ accept: false, reason, params });

/**
 * The acceptance rules, in order. Called inside the transaction that queues the row, so two
 * redemptions cannot both squeeze under one limit.
 */
export function decideOffline(
  db: Db,
  limits: OfflineLimits,
  request: Readonly<{ codeKind: string; amountFen: number; realCode: string | null }>,
  now: number = Date.now(),
): OfflineDecision {
  const queue = queueStatus(db);
  if (queue.oldestQueuedAt !== null && now - queue.oldestQueuedAt > limits.maxQueueAgeHours * 3_600_000) {
    return refuse('offline_queue_too_old', { hours: limits.maxQueueAgeHours });
  }
  if (request.amountFen > limits.maxPerRedemptionFen) return refuse('offline_cap_per_redemption', { limit: formatYuan(limits.maxPerRedemptionFen) });
  if (queue.queuedFen + request.amountFen > limits.maxExposureFen) return refuse('offline_cap_exposure', { limit: formatYuan(limits.maxExposureFen) });
  if (request.codeKind === 'wechat_dynamic') {
    // A dynamic code cannot be mapped to its card offline: a small fixed risk, or none.
    if (limits.dynamicCapFen === 0 || request.amountFen > limits.dynamicCapFen) return refuse('offline_dynamic_refused', { limit: formatYuan(limits.dynamicCapFen) });
    return { accept: true };
  }
  const card = request.realCode ? getCachedCard(db, request.realCode) : undefined;
  if (!card) {
    if (limits.unknownStaticCapFen === 0 || request.amountFen > limits.unknownStaticCapFen) return refuse('offline_unknown_card');
    return { accept: true };
  }
  if (card.use_dynamic_code === 1) return refuse('offline_static_on_dynamic_card');
  const statusReason = card.user_card_status ? userCardStatusReason(card.user_card_status) : null;
  if (statusReason !== null) return refuse(statusReason);
  if (card.end_time !== null && isExpired(card.end_time, now / 1000)) return refuse('card_expired');
  const queuedForCard = listRedemptions(db, { realCode: card.real_code, state: 'queued' });
  const queuedFen = queuedForCard.reduce((sum, row) => sum + row.amount_fen, 0);
  if (card.sub_card_type === 'VOUCHER') {
    // One item: redeemed whole, once.
    return queuedForCard.length > 0 ? refuse('offline_insufficient_cached_balance') : { accept: true };
  }
  if (queuedFen + request.amountFen > limits.maxPerCardFen) return refuse('offline_cap_per_card', { limit: formatYuan(limits.maxPerCardFen) });
  if ((card.balance_fen ?? 0) - queuedFen < request.amountFen) return refuse('offline_insufficient_cached_balance');
  return { accept: true };
}

export function offlinePolicy(connectivity: Connectivity, limits: () => OfflineLimits): OfflinePolicy {
  return {
    decide: (db, request) => decideOffline(db, limits(), request),
    reportUnavailable: (error) => connectivity.reportUnavailable(error),
    reportAvailable: () => connectivity.reportAvailable(),
  };
}

/** Codes forwarded at once by default: enough to drain a day's queue in seconds, few enough that 45011 stays rare. */
export const DEFAULT_REPLAY_CONCURRENCY = 16;

export type ReplayReport = Readonly<{ settled: number; needsReview: number; remaining: number; stoppedBy: string | null }>;

export type ReplayOptions = Readonly<{
  /** Codes replayed at once; items of one code always one after another. */
  concurrency?: number;
  backoffMs?: (attempt: number) => number;
}>;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Drains the queue: oldest first, items of one code strictly in order, several codes at once.
 * 45011 slows it down (backoff and retry), 45009 and an unreachable API stop the pass; the rows
 * stay queued for the next one. Every item goes through the engine's exactly-once path.
 */
export async function replayQueue(engine: Engine, connectivity: Connectivity, options: ReplayOptions = {}): Promise<ReplayReport> {
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_REPLAY_CONCURRENCY);
  const backoff = options.backoffMs ?? ((attempt: number) => Math.min(30_000, 500 * 2 ** attempt));
  let settled = 0;
  let needsReview = 0;
  let stoppedBy: string | null = null;
  const queued = listRedemptions(engine.db, { state: 'queued' });
  // Group by code, keeping the oldest-first order inside each group and between groups.
  const groups = new Map<string, RedemptionRow[]>();
  for (const row of queued) {
    const key = row.real_code ?? row.scanned_code;
    const group = groups.get(key) ?? [];
    group.push(row);
    groups.set(key, group);
  }
  const pending = [...groups.values()];
  let rateLimitAttempt = 0;

  async function replayGroup(rows: readonly RedemptionRow[]): Promise<void> {
    for (const row of rows) {
      for (;;) {
        if (stoppedBy) return;
        try {
          const result = await engine.replay(row.id);
          connectivity.reportAvailable();
          rateLimitAttempt = 0;
          if (result?.state === 'settled') settled++;
          else if (result?.state === 'needs_review') needsReview++;
          else if (result?.state === 'queued') return; // busy card: leave the rest of this code for later
          break;
        } catch (error) {
          if (error instanceof WeChatError && error.errcode === 45011) {
            await sleep(backoff(rateLimitAttempt++));
            continue;
          }
          if (error instanceof WeChatError) {
            connectivity.reportUnavailable(error);
            stoppedBy = error.errcode === 45009 ? 'quota' : 'unavailable';
            return;
          }
          throw error;
        }
      }
    }
  }

  const workers = Array.from({ length: Math.min(concurrency, pending.length) }, async () => {
    for (let group = pending.shift(); group; group = pending.shift()) await replayGroup(group);
  });
  await Promise.all(workers);
  const remaining = queueStatus(engine.db).depth;
  if (stoppedBy) log.warn(`replay stopped (${stoppedBy}); ${remaining} still queued`);
  return { settled, needsReview, remaining, stoppedBy };
}

/**
 * The background job of a running terminal: while items are queued, probe and replay with
 * exponential backoff (capped); stops on `stop()` after the item in hand (drain on shutdown).
 */
export class Replayer {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<ReplayReport> | null = null;
  private failures = 0;
  private stopped = false;

  constructor(
    private readonly engine: Engine,
    private readonly connectivity: Connectivity,
    private readonly options: ReplayOptions &
      Readonly<{
        intervalMs?: number;
        maxBackoffMs?: number;
        onReport?: (report: ReplayReport) => void;
        /** A cheap call that reaches WeChat; used while offline with nothing queued. */
        probe?: () => Promise<void>;
        /** Unfinished rows untouched this long are resolved in the background. */
        staleAfterMs?: number;
      }> = {},
  ) {}

  start(): void {
    this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    const interval = this.options.intervalMs ?? 15_000;
    if (this.connectivity.status.online) {
      // Outcomes that could not be read back when they happened: resolve them now.
      await this.engine.recover({ olderThanMs: this.options.staleAfterMs ?? 30_000 }).catch((error: unknown) => {
        log.error('background recovery failed', { message: (error as Error).message });
      });
    }
    if (queueStatus(this.engine.db).depth === 0) {
      if (!this.connectivity.status.online && this.options.probe) {
        try {
          await this.options.probe();
          this.connectivity.reportAvailable();
          this.failures = 0;
        } catch (error) {
          if (error instanceof WeChatError && !error.apiUnavailable) this.connectivity.reportAvailable();
          else return this.backOff(interval);
        }
      }
      return this.schedule(interval);
    }
    const report = await this.runNow();
    if (report.stoppedBy) {
      this.backOff(interval);
    } else {
      this.failures = 0;
      this.schedule(report.remaining > 0 ? 1_000 : interval);
    }
  }

  /** While the API stays out of reach: wait twice as long each time, up to the cap. */
  private backOff(interval: number): void {
    this.failures++;
    this.schedule(Math.min(this.options.maxBackoffMs ?? 300_000, interval * 2 ** (this.failures - 1)));
  }

  /** Replays now (the manager's "send now", `gcterm replay`); joins a pass already running. */
  runNow(): Promise<ReplayReport> {
    if (!this.running) {
      this.running = replayQueue(this.engine, this.connectivity, this.options)
        .then((report) => {
          this.options.onReport?.(report);
          return report;
        })
        .catch((error: unknown) => {
          log.error('replay failed', { message: (error as Error).message });
          return { settled: 0, needsReview: 0, remaining: queueStatus(this.engine.db).depth, stoppedBy: 'error' };
        })
        .finally(() => {
          this.running = null;
        });
    }
    return this.running;
  }

  /** Lets the pass in hand finish, then stops. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
