/**
 * The append-only event log: every step and API exchange, each event carrying the hash of the one
 * before (a tamper-evident chain). State events also carry a snapshot of the redemption row, so a
 * row edited behind the journal's back no longer matches its last snapshot and `verifyChain`
 * names it.
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

function eventHash(prevHash: string, seq: number, at: number, redemptionId: string | null, kind: string, data: string): string {
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

export function listEvents(db: Db, redemptionId: string): EventRow[] {
  return stmt(db, 'SELECT * FROM events WHERE redemption_id = ? ORDER BY seq').all(redemptionId) as EventRow[];
}

export type ChainResult = Readonly<{ ok: boolean; checked: number; brokenAt?: Readonly<{ seq: number; problem: string }> }>;

/** Canonical text of a redemption row as snapshotted in state events. */
export function rowFingerprint(row: Readonly<Record<string, unknown>>): string {
  const keys = Object.keys(row).sort();
  return createHash('sha256')
    .update(JSON.stringify(keys.map((k) => [k, row[k] ?? null])))
    .digest('hex');
}

/**
 * Walks the whole chain, then checks each redemption row against its last snapshot.
 * Stops at the first problem and names it.
 */
export function verifyChain(db: Db): ChainResult {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let checked = 0;
  const lastFingerprint = new Map<string, { seq: number; fingerprint: string }>();
  for (const row of stmt(db, 'SELECT * FROM events ORDER BY seq').iterate() as IterableIterator<EventRow>) {
    if (row.seq !== expectedSeq) return { ok: false, checked, brokenAt: { seq: expectedSeq, problem: `event ${expectedSeq} is missing` } };
    if (row.prev_hash !== prevHash) return { ok: false, checked, brokenAt: { seq: row.seq, problem: `event ${row.seq}: link to the previous event broken` } };
    if (eventHash(row.prev_hash, row.seq, row.at, row.redemption_id, row.kind, row.data) !== row.hash) {
      return { ok: false, checked, brokenAt: { seq: row.seq, problem: `event ${row.seq} (${row.kind}) was altered` } };
    }
    if (row.kind === 'state' && row.redemption_id) {
      const data = JSON.parse(row.data) as { fingerprint?: string };
      if (data.fingerprint) lastFingerprint.set(row.redemption_id, { seq: row.seq, fingerprint: data.fingerprint });
    }
    prevHash = row.hash;
    expectedSeq++;
    checked++;
  }
  for (const redemption of stmt(db, 'SELECT * FROM redemptions ORDER BY created_at').iterate() as IterableIterator<Record<string, unknown>>) {
    const id = String(redemption.id);
    const last = lastFingerprint.get(id);
    if (!last) return { ok: false, checked, brokenAt: { seq: 0, problem: `redemption ${id} has no journal events` } };
    if (rowFingerprint(redemption) !== last.fingerprint) {
      return { ok: false, checked, brokenAt: { seq: last.seq, problem: `redemption ${id} was altered outside the journal` } };
    }
  }
  return { ok: true, checked };
}
