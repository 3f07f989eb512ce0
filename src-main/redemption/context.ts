/**
 * What the parts of the engine share: the journal, the WeChat client, the options, this
 * process's ownership and card guard, and the one way a redemption changes state — guarded
 * (compare-and-set on the expected state and, for unfinished rows, on the owner), journaled with
 * its pending API exchanges, and announced to listeners.
 */
import Database from 'better-sqlite3';
import type { CodeKind } from '../../shared/codes.ts';
import type { ReasonCode } from '../../shared/reasons.ts';
import { UNFINISHED_STATES } from '../../shared/states.ts';
import { releaseDynamicCode } from '../journal/cards.ts';
import type { Db } from '../journal/db.ts';
import { clearRedemptionOwner, getRedemptionOwner, setRedemptionOwner } from '../journal/ownership.ts';
import { TransitionLostError, updateRedemption, type RedemptionPatch, type RedemptionRow } from '../journal/redemptions.ts';
import type { WeChatClient } from '../wechat/client.ts';
import type { WeChatError } from '../wechat/errors.ts';
import { ExchangeLog } from './exchanges.ts';
import { guardsWeakened } from './faults.ts';
import { composeGuards, type CardGuard, type CardHold, type HoldPurpose } from './guard.ts';
import { KeyedMutex } from './locks.ts';
import { Ownership } from './ownership.ts';
import type { TerminalScope } from './validate.ts';

export type Failure = Readonly<{ reason: ReasonCode; params?: Readonly<Record<string, string | number>> }>;

export type OfflineDecision = Readonly<{ accept: true } | { accept: false; reason: ReasonCode; params?: Readonly<Record<string, string | number>> }>;
export type OfflinePolicy = Readonly<{
  decide(db: Db, request: Readonly<{ scannedCode: string; codeKind: CodeKind; amountFen: number; realCode: string | null }>): OfflineDecision;
  /** Tells the policy the API failed (connectivity tracking). */
  reportUnavailable(error: WeChatError): void;
  reportAvailable(): void;
}>;

export type EngineOptions = Readonly<{
  db: Db;
  client: WeChatClient;
  terminalId: string;
  scope: TerminalScope;
  now?: () => number;
  /** How many times the same absolute update is sent when read-back shows it was not applied. */
  maxWriteAttempts?: number;
  /** Read-backs tried before an outcome is left for recovery. */
  maxReadBacks?: number;
  backoffMs?: (attempt: number) => number;
  /** How long card definitions are cached. */
  definitionMaxAgeMs?: number;
  /** A live redemption interrupted longer ago than this is not resumed: the customer has gone. */
  resumeWindowMs?: number;
  /**
   * Offline acceptance: called when the API is unreachable before anything moved. Answers the
   * patch that queues the row, or a refusal. Without it the redemption is declined.
   */
  offline?: OfflinePolicy;
  /** Who drives this engine, as other processes name it when it holds a card ("gcterm redeem"). */
  ownerLabel?: string;
  /** A guard beyond this PC (the store hub), held after the local one. */
  guard?: CardGuard;
  /** How long a redemption waits for a card another process holds before it is refused. */
  cardWaitMs?: number;
  /** The timeout of one WeChat request: a write is sent only with at least this much hold left. */
  requestTimeoutMs?: number;
}>;

/** A lookup older than this (monotonic clock) is read again before a write is computed from it. */
export const LOOKUP_FRESH_MS = 5_000;

/**
 * Errors that stop an operation where it stands (the journal cannot be written, another process
 * moved the row first): never mistaken for a refusal by WeChat.
 */
export const stopsTheOperation = (error: unknown): boolean => error instanceof Database.SqliteError || error instanceof TransitionLostError;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A monotonic clock: ages that decide money never trust a wall clock that can jump. */
export const monotonicMs = () => performance.now();

export class EngineContext {
  readonly db: Db;
  readonly client: WeChatClient;
  readonly options: EngineOptions;
  readonly now: () => number;
  readonly exchanges: ExchangeLog;
  /** One writer per card within this process. */
  readonly locks = new KeyedMutex();
  readonly ownership: Ownership;
  readonly guard: CardGuard;
  /** Redemptions this process is working on right now (never touched by its own background job). */
  readonly active = new Set<string>();
  /** When this process last worked on each of its unfinished redemptions (monotonic). */
  readonly lastTouched = new Map<string, number>();
  /** Redemptions for which a request that changes the card has been sent in this process. */
  readonly sent = new Set<string>();
  private readonly listeners = new Set<(row: RedemptionRow) => void>();

  constructor(options: EngineOptions) {
    this.options = options;
    this.db = options.db;
    this.client = options.client;
    this.now = options.now ?? Date.now;
    this.exchanges = new ExchangeLog(this.db);
    this.ownership = new Ownership(this.db, options.ownerLabel ?? `gcterm (${process.argv.slice(2, 3).join(' ') || 'engine'})`);
    this.guard = options.guard ? composeGuards(this.ownership.guard(), options.guard) : this.ownership.guard();
  }

  get maxWriteAttempts(): number {
    return this.options.maxWriteAttempts ?? 3;
  }

  get cardWaitMs(): number {
    return this.options.cardWaitMs ?? (this.options.requestTimeoutMs ?? 10_000) + 5_000;
  }

  backoff(attempt: number): Promise<void> {
    const ms = this.options.backoffMs ? this.options.backoffMs(attempt) : Math.min(2000, 200 * 2 ** attempt);
    return ms > 0 ? sleep(ms) : Promise.resolve();
  }

  onChange(listener: (row: RedemptionRow) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  changed(row: RedemptionRow): RedemptionRow {
    for (const listener of this.listeners) listener(row);
    return row;
  }

  /**
   * The one way a redemption changes: compare-and-set on the state the caller last saw (and on
   * this process's ownership while the row is unfinished), in one durable commit with the
   * redemption's pending exchanges and `alongside` (cache updates of the same change).
   * A patch given as a function is decided inside that commit (it may throw to abandon it).
   * Throws TransitionLostError when another process moved the row first.
   */
  update(
    row: RedemptionRow,
    patch: RedemptionPatch | (() => RedemptionPatch),
    note?: Readonly<Record<string, unknown>>,
    alongside?: () => void,
  ): RedemptionRow {
    const requireOwner = UNFINISHED_STATES.includes(row.state) ? this.ownership.ownerId : undefined;
    const next = this.exchanges.tx(row.id, () => {
      const decided = typeof patch === 'function' ? patch() : patch;
      const updated = updateRedemption(this.db, row.id, row.state, decided, note, requireOwner);
      this.followOwnership(updated);
      alongside?.();
      return updated;
    });
    this.lastTouched.set(row.id, monotonicMs());
    return this.changed(next);
  }

  /**
   * Whoever moves a row into an unfinished state owns it; a queued or final row has no owner.
   * A dynamic code whose redemption was declined (nothing moved) may be presented again.
   */
  private followOwnership(row: RedemptionRow): void {
    if (UNFINISHED_STATES.includes(row.state)) {
      if (getRedemptionOwner(this.db, row.id) !== this.ownership.ownerId) setRedemptionOwner(this.db, row.id, this.ownership.ownerId, this.now());
      return;
    }
    clearRedemptionOwner(this.db, row.id);
    if (row.state === 'declined' && row.code_kind === 'wechat_dynamic') releaseDynamicCode(this.db, row.scanned_code, row.id);
  }

  private readonly holds = new Map<string, CardHold[]>();
  private readonly heldKeys = new Map<string, Set<string>>();

  /** The holds a redemption's operation has on its card right now (renewed and observed before writes). */
  holdsOf(redemptionId: string): readonly CardHold[] {
    return this.holds.get(redemptionId) ?? [];
  }

  /**
   * Holds the card (local guard, then the hub's) for `fn`, waiting a bounded time for another
   * holder: CardBusyError names it. Keys are taken in sorted order, the in-process mutex first.
   */
  async holding<T>(keys: readonly string[], redemptionId: string, purpose: HoldPurpose, fn: () => Promise<T>): Promise<T> {
    // Keys this redemption's operation already holds are not taken twice (the mutex is not reentrant).
    const held = this.heldKeys.get(redemptionId) ?? new Set<string>();
    const unique = [...new Set(keys)].filter((key) => !held.has(key)).sort();
    if (unique.length === 0) return fn();
    this.heldKeys.set(redemptionId, held);
    return this.locks.runAll(unique, async () => {
      for (const key of unique) held.add(key);
      const taken: CardHold[] = [];
      const list = this.holds.get(redemptionId) ?? [];
      this.holds.set(redemptionId, list);
      try {
        for (const key of guardsWeakened() ? [] : unique) {
          const hold = await this.guard.acquire({ key, redemptionId, purpose, waitMs: this.cardWaitMs });
          taken.push(hold);
          list.push(hold);
        }
        return await fn();
      } finally {
        for (const hold of taken.reverse()) {
          list.splice(list.indexOf(hold), 1);
          await hold.release().catch(() => undefined);
        }
        if (list.length === 0) this.holds.delete(redemptionId);
        for (const key of unique) held.delete(key);
        if (held.size === 0) this.heldKeys.delete(redemptionId);
      }
    });
  }

  /** Marks a redemption as worked on by this process for the duration of `fn`. */
  async working<T>(id: string, fn: () => Promise<T>): Promise<T> {
    this.active.add(id);
    try {
      return await fn();
    } finally {
      this.active.delete(id);
      this.lastTouched.set(id, monotonicMs());
    }
  }
}
