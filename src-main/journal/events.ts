/**
 * The append-only event log: every step and API exchange, each event carrying the hash of the one
 * before (a tamper-evident chain). State events also carry a snapshot of the redemption row, so a
 * row edited behind the journal's back no longer matches its last snapshot and `verifyChain`
 * (verify.ts) names it, as it names what is missing against the head file (head.ts).
 */
import { createHash } from 'node:crypto';
import { redact } from '../log.ts';
import { stmt, type Db } from './db.ts';

export const GENESIS_HASH = '0'.repeat(64);

export type EventRow = Readonly<{
  seq: number;
  at: number;
  redemption_id: string | null;
  kind: string;
  data: string;
  prev_hash: string;
  hash: string;
}>;

export function eventHash(prevHash: string, seq: number, at: number, redemptionId: string | null, kind: string, data: string): string {
  return createHash('sha256')
    .update(`${prevHash}\n${seq}\n${at}\n${redemptionId ?? ''}\n${kind}\n${data}`)
    .digest('hex');
}

/** Appends one event. Call inside the transaction that makes the change it records. */
export function appendEvent(db: Db, event: Readonly<{ redemptionId: string | null; kind: string; data: unknown; at?: number }>): void {
  const last = stmt(db, 'SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
  const seq = (last?.seq ?? 0) + 1;
  const prevHash = last?.hash ?? GENESIS_HASH;
  const at = event.at ?? Date.now();
  const data = JSON.stringify(redact(event.data) ?? null);
  const hash = eventHash(prevHash, seq, at, event.redemptionId, event.kind, data);
  stmt(db, 'INSERT INTO events (seq, at, redemption_id, kind, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
    seq,
    at,
    event.redemptionId,
    event.kind,
    data,
    prevHash,
    hash,
  );
}

/** The newest event's number (0 for an empty journal). */
export function lastSeq(db: Db): number {
  return (stmt(db, 'SELECT coalesce(max(seq), 0) AS seq FROM events').get() as { seq: number }).seq;
}

/** Events after `seq`, oldest first, at most `limit` (for pushing the journal to the store hub). */
export function eventsAfter(db: Db, seq: number, limit: number): IterableIterator<EventRow> {
  return stmt(db, 'SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?').iterate(seq, limit) as IterableIterator<EventRow>;
}

export function listEvents(db: Db, redemptionId: string): EventRow[] {
  return stmt(db, 'SELECT * FROM events WHERE redemption_id = ? ORDER BY seq').all(redemptionId) as EventRow[];
}

export type { ChainVerification as ChainResult } from '../../shared/contract.ts';

/** Redemption columns added after the first release (migration 0002 on). */
const LATER_COLUMNS: ReadonlySet<string> = new Set(['shortfall_fen']);

/** Canonical text of a redemption row as snapshotted in state events. */
export function rowFingerprint(row: Readonly<Record<string, unknown>>): string {
  // A column added by a later migration counts only once it holds a value, so the rows
  // fingerprinted before it existed still match.
  const keys = Object.keys(row)
    .filter((k) => !(LATER_COLUMNS.has(k) && (row[k] === null || row[k] === undefined)))
    .sort();
  return createHash('sha256')
    .update(JSON.stringify(keys.map((k) => [k, row[k] ?? null])))
    .digest('hex');
}

/** Walks the chain and checks rows, events and the head file: see verify.ts. */
export { verifyJournal as verifyChain } from './verify.ts';
