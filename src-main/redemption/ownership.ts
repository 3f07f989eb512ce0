/**
 * One owner per unfinished redemption and one holder per card, for the processes that share a
 * data dir on one PC (the app, the browser-mode server, CLI commands).
 *
 * Each process registers as an owner and holds an exclusive lock on a small lock file of its own
 * (`<dataDir>/owners/<id>.lock`) for as long as it lives. The operating system drops that lock
 * when the process ends, however it ends (exit, crash, kill -9, power cut), so "is the owner
 * still alive?" is answered by trying the lock — never by a clock that can jump, nor by a pid
 * that can be reused. Ownership therefore expires exactly when its owner is gone, and a live
 * but slow process keeps its rows and cards.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { inTransaction, type Db } from '../journal/db.ts';
import { holdOwnerLock, ownerLockHeld, type OwnerLock } from '../journal/owner-lock.ts';
import { appendEvent } from '../journal/events.ts';
import { deleteCardHold, endOwner, getCardHold, getOwner, insertOwner, listOpenOwners, putCardHold } from '../journal/ownership.ts';
import { createLogger } from '../log.ts';
import { CardBusyError, type CardGuard, type CardHold, type HoldRequest } from './guard.ts';

const log = createLogger('ownership');

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class Ownership {
  readonly ownerId: string;
  readonly label: string;
  private readonly db: Db;
  private readonly lockDir: string | null;
  private lock: OwnerLock | null = null;
  /** Holds whose release could not be written (a full disk): retried on the next release. */
  private readonly unreleased = new Set<string>();

  constructor(db: Db, label: string) {
    this.db = db;
    this.label = label;
    this.ownerId = randomUUID();
    this.lockDir = db.name === ':memory:' || db.memory ? null : join(dirname(db.name), 'owners');
    if (this.lockDir) {
      mkdirSync(this.lockDir, { recursive: true, mode: 0o700 });
      // Held until this process ends: the OS releases it on any kind of exit.
      this.lock = holdOwnerLock(this.lockPath(this.ownerId));
    }
    inTransaction(db, () => insertOwner(db, { id: this.ownerId, pid: process.pid, host: hostname(), label, started_at: Date.now() }));
    // Processes that ended without a word (killed, power cut) are forgotten; their rows stay for recovery.
    for (const owner of listOpenOwners(db)) if (owner.id !== this.ownerId) this.forgetIfDead(owner.id);
  }

  private lockPath(ownerId: string): string {
    return join(this.lockDir ?? '', `${ownerId}.lock`);
  }

  /** Whether the owner is a live process. This process is; an owner of an in-memory journal is only this one. */
  isAlive(ownerId: string | null): boolean {
    if (ownerId === null) return false;
    if (ownerId === this.ownerId) return true;
    if (!this.lockDir) return false;
    const owner = getOwner(this.db, ownerId);
    if (!owner || owner.ended_at !== null) return false;
    return ownerLockHeld(this.lockPath(ownerId));
  }

  /** "gcterm redeem (pid 4242)": who holds a card, for the cashier and the journal. */
  describe(ownerId: string): string {
    const owner = getOwner(this.db, ownerId);
    return owner ? `${owner.label} (pid ${owner.pid})` : ownerId.slice(0, 8);
  }

  /** Forgets a dead owner's lock file once its rows were taken over. */
  private forget(ownerId: string): void {
    if (!this.lockDir || ownerId === this.ownerId) return;
    inTransaction(this.db, () => endOwner(this.db, ownerId));
    rmSync(this.lockPath(ownerId), { force: true });
    rmSync(`${this.lockPath(ownerId)}-journal`, { force: true });
  }

  private tryHold(request: HoldRequest): string | null {
    return inTransaction(this.db, () => {
      const current = getCardHold(this.db, request.key);
      // Within a process the engine's per-code mutex serialises work on a card, so a hold of our
      // own found here is one whose release could not be written: ours to take again.
      if (current && current.owner_id !== this.ownerId) {
        if (this.isAlive(current.owner_id)) return this.describe(current.owner_id);
        appendEvent(this.db, {
          redemptionId: request.redemptionId,
          kind: 'takeover',
          data: { card: request.key.length > 8 ? `…${request.key.slice(-4)}` : request.key, from: current.owner_id, fromRedemption: current.redemption_id, purpose: request.purpose, why: 'holder process ended' },
        });
      }
      putCardHold(this.db, { card_key: request.key, owner_id: this.ownerId, redemption_id: request.redemptionId, purpose: request.purpose, held_at: Date.now() });
      return null;
    });
  }

  private release(key: string): void {
    try {
      inTransaction(this.db, () => deleteCardHold(this.db, key, this.ownerId));
      this.unreleased.delete(key);
    } catch (error) {
      this.unreleased.add(key);
      log.warn('could not release a card hold; retried later', { message: (error as Error).message });
    }
  }

  /** The local CardGuard: holds in the journal, waiting (bounded) while a live process holds the card. */
  guard(): CardGuard {
    return {
      acquire: async (request): Promise<CardHold> => {
        for (const key of [...this.unreleased]) this.release(key);
        const deadline = performance.now() + request.waitMs;
        let delay = 10;
        for (;;) {
          const holder = this.tryHold(request);
          if (holder === null) break;
          if (performance.now() >= deadline) throw new CardBusyError(holder);
          if (delay === 10) log.info(`waiting for the card held by ${holder}`, { purpose: request.purpose });
          await sleep(Math.min(delay, Math.max(1, deadline - performance.now())));
          delay = Math.min(250, delay * 2);
        }
        let released = false;
        return {
          remainingMs: () => (released ? 0 : Number.POSITIVE_INFINITY),
          renew: async () => undefined,
          fence: 0,
          observe: async () => undefined,
          release: async () => {
            if (released) return;
            released = true;
            this.release(request.key);
          },
        };
      },
    };
  }

  /** Dead owners' lock files are removed by whoever takes their work over. */
  forgetIfDead(ownerId: string | null): void {
    if (ownerId !== null && !this.isAlive(ownerId)) this.forget(ownerId);
  }

  /** A clean end: holds dropped, owner marked ended, lock released. */
  close(): void {
    try {
      inTransaction(this.db, () => endOwner(this.db, this.ownerId));
    } catch (error) {
      log.warn('could not mark this owner ended', { message: (error as Error).message });
    }
    if (this.lock) {
      this.lock.release();
      this.lock = null;
      rmSync(this.lockPath(this.ownerId), { force: true });
    }
  }
}
