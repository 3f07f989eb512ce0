/**
 * The counter pushes its journal to the hub in the background: every event after the hub's head
 * (in order, at least once; the hub drops what it already has and checks each link of the hash
 * chain), the current row of every redemption those events touch, and the counter's status (queue
 * depth, exposure, version). Nothing local records what was sent: the hub's head is the truth,
 * so a crash between a push and its answer only means the next push repeats it.
 */
import type { Db } from '../journal/db.ts';
import { getRedemption, localDate, type RedemptionRow } from '../journal/redemptions.ts';
import { eventsAfter, lastSeq } from '../journal/events.ts';
import { createLogger } from '../log.ts';
import { queueStatus } from '../journal/queue.ts';
import { GuardUnavailableError } from '../redemption/guard.ts';
import type { HubClient } from './client.ts';
import { HubErrorAnswer, JournalAnswer, MAX_BODY_BYTES, type JournalPush, type RedemptionSnapshot } from './protocol.ts';

const log = createLogger('hub-journal');

/** A batch stays well under the hub's body limit. */
const BATCH_BYTES = Math.floor(MAX_BODY_BYTES / 2);
const BATCH_EVENTS = 500;

export const APP_VERSION = process.env.npm_package_version ?? '0.1.0';

export type JournalSyncStatus = Readonly<{ headSeq: number | null; pending: number; problem: string | null; lastPushAt: number | null }>;

export function snapshotOf(row: RedemptionRow): RedemptionSnapshot {
  return {
    id: row.id,
    state: row.state,
    cashier: row.cashier,
    scannedCode: row.scanned_code,
    realCode: row.real_code,
    cardId: row.card_id,
    amountFen: row.amount_fen,
    balanceBeforeFen: row.balance_before_fen,
    balanceAfterFen: row.balance_after_fen,
    reason: row.reason,
    offline: row.offline === 1,
    shortfallFen: row.shortfall_fen ?? null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    localDate: localDate(row.created_at),
  };
}

export class JournalSync {
  private readonly db: Db;
  private readonly hub: HubClient;
  private readonly online: () => boolean;
  private headSeq: number | null = null;
  private problem: string | null = null;
  private lastPushAt: number | null = null;
  private running: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(db: Db, hub: HubClient, online: () => boolean = () => true) {
    this.db = db;
    this.hub = hub;
    this.online = online;
  }

  status(): JournalSyncStatus {
    const local = this.localHead();
    return { headSeq: this.headSeq, pending: this.headSeq === null ? local : Math.max(0, local - this.headSeq), problem: this.problem, lastPushAt: this.lastPushAt };
  }

  private localHead(): number {
    return lastSeq(this.db);
  }

  /** Pushes every event the hub lacks (several batches if need be). Never throws. */
  push(): Promise<void> {
    this.running ??= this.pushAll()
      .catch((error: unknown) => {
        if (!(error instanceof GuardUnavailableError)) log.warn(`journal push: ${(error as Error).message}`);
      })
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  private async pushAll(): Promise<void> {
    if (this.headSeq === null) {
      const answer = await this.hub.call('GET', '/v1/journal/head');
      if (answer.status !== 200) return;
      this.headSeq = (answer.data as { headSeq: number }).headSeq;
    }
    for (let round = 0; round < 1000; round++) {
      const batch = this.batch(this.headSeq ?? 0);
      const answer = await this.hub.call('POST', '/v1/journal', batch);
      if (answer.status === 409) {
        const parsed = HubErrorAnswer.safeParse(answer.data);
        this.problem = parsed.success ? parsed.data.message : 'journal refused by the hub';
        log.warn(`the hub refused this counter's journal: ${this.problem}`);
        return;
      }
      if (answer.status !== 200) {
        this.headSeq = null;
        return;
      }
      const result = JournalAnswer.parse(answer.data);
      this.headSeq = result.headSeq;
      this.lastPushAt = Date.now();
      if (batch.events.length === 0 || result.accepted === 0 || this.headSeq >= batch.localHeadSeq) return;
    }
  }

  private batch(after: number): JournalPush {
    const events: JournalPush['events'] = [];
    const ids = new Set<string>();
    let bytes = 0;
    for (const row of eventsAfter(this.db, after, BATCH_EVENTS)) {
      bytes += row.data.length + 300;
      if (events.length > 0 && bytes > BATCH_BYTES) break;
      events.push({ seq: row.seq, at: row.at, redemptionId: row.redemption_id, kind: row.kind, data: row.data, prevHash: row.prev_hash, hash: row.hash });
      if (row.redemption_id && row.kind === 'state') ids.add(row.redemption_id);
    }
    const redemptions = [...ids].map((id) => getRedemption(this.db, id)).filter((r): r is RedemptionRow => r !== undefined).map(snapshotOf);
    const queue = queueStatus(this.db);
    return {
      localHeadSeq: this.localHead(),
      events,
      redemptions,
      status: { queueDepth: queue.depth, exposureFen: queue.queuedFen, version: APP_VERSION, online: this.online() },
    };
  }

  /** Pushes every `intervalMs` (also the counter's heartbeat: last seen, queue depth). */
  start(intervalMs = 3000): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.push(), intervalMs);
    this.timer.unref();
    void this.push();
  }

  /** Stops the timer and makes one last bounded attempt to push what is left. */
  async stop(flushWithinMs = 3000): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.race([(this.running ?? Promise.resolve()).then(() => this.push()), new Promise<void>((resolve) => setTimeout(resolve, flushWithinMs).unref())]);
  }
}
