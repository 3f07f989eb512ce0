/**
 * Ownership bookkeeping in the journal (migration 0002): the processes that drive an engine on
 * this data dir, who works on each unfinished redemption, who holds each card. Liveness is not
 * decided here (src-main/redemption/ownership.ts probes an OS-held lock); these are the queries.
 */
import type { RedemptionState } from '../../shared/contract.ts';
import { stmt, type Db } from './db.ts';
import { appendEvent } from './events.ts';

export type OwnerRow = Readonly<{ id: string; pid: number; host: string; label: string; started_at: number; ended_at: number | null }>;
export type CardHoldRow = Readonly<{ card_key: string; owner_id: string; redemption_id: string; purpose: string; held_at: number }>;

export function insertOwner(db: Db, owner: Omit<OwnerRow, 'ended_at'>): void {
  stmt(db, 'INSERT INTO owners (id, pid, host, label, started_at) VALUES (@id, @pid, @host, @label, @started_at)').run(owner);
}

/** An owner that ended (cleanly, or found dead): forgotten with its card holds. Its unfinished rows stay, for recovery. */
export function endOwner(db: Db, id: string): void {
  stmt(db, 'DELETE FROM owners WHERE id = ?').run(id);
  stmt(db, 'DELETE FROM card_holds WHERE owner_id = ?').run(id);
}

export function getOwner(db: Db, id: string): OwnerRow | undefined {
  return stmt(db, 'SELECT * FROM owners WHERE id = ?').get(id) as OwnerRow | undefined;
}

/** Owners not marked ended: the candidates for a liveness probe. */
export function listOpenOwners(db: Db): OwnerRow[] {
  return stmt(db, 'SELECT * FROM owners WHERE ended_at IS NULL ORDER BY started_at').all() as OwnerRow[];
}

export function getRedemptionOwner(db: Db, redemptionId: string): string | null {
  const row = stmt(db, 'SELECT owner_id FROM redemption_owners WHERE redemption_id = ?').get(redemptionId) as { owner_id: string } | undefined;
  return row?.owner_id ?? null;
}

/** Sets who works on a redemption (inside the transaction that changes its state). */
export function setRedemptionOwner(db: Db, redemptionId: string, ownerId: string, at: number): void {
  stmt(
    db,
    'INSERT INTO redemption_owners (redemption_id, owner_id, since) VALUES (?, ?, ?) ON CONFLICT (redemption_id) DO UPDATE SET owner_id = excluded.owner_id, since = excluded.since',
  ).run(redemptionId, ownerId, at);
}

/** Nobody works on it (queued, or final). */
export function clearRedemptionOwner(db: Db, redemptionId: string): void {
  stmt(db, 'DELETE FROM redemption_owners WHERE redemption_id = ?').run(redemptionId);
}

/**
 * Takes a redemption over from `expected` (a dead owner, or nobody), compare-and-set, and
 * journals who took it from whom. False when someone else got there first.
 */
export function takeOverRedemption(db: Db, redemptionId: string, expected: string | null, ownerId: string, at: number, why: string): boolean {
  const current = getRedemptionOwner(db, redemptionId);
  if (current !== expected) return false;
  setRedemptionOwner(db, redemptionId, ownerId, at);
  appendEvent(db, { redemptionId, kind: 'takeover', at, data: { from: expected, to: ownerId, why } });
  return true;
}

export type UnfinishedRow = Readonly<{ id: string; state: RedemptionState; owner_id: string | null }>;

/** Redemptions in the given states with their owners, oldest first. */
export function listWithOwners(db: Db, states: readonly RedemptionState[]): UnfinishedRow[] {
  const sql = `SELECT r.id, r.state, o.owner_id FROM redemptions r LEFT JOIN redemption_owners o ON o.redemption_id = r.id
    WHERE r.state IN (${states.map(() => '?').join(', ')}) ORDER BY r.created_at, r.rowid`;
  return stmt(db, sql).all(...states) as UnfinishedRow[];
}

export function getCardHold(db: Db, cardKey: string): CardHoldRow | undefined {
  return stmt(db, 'SELECT * FROM card_holds WHERE card_key = ?').get(cardKey) as CardHoldRow | undefined;
}

export function putCardHold(db: Db, hold: CardHoldRow): void {
  stmt(
    db,
    `INSERT INTO card_holds (card_key, owner_id, redemption_id, purpose, held_at) VALUES (@card_key, @owner_id, @redemption_id, @purpose, @held_at)
     ON CONFLICT (card_key) DO UPDATE SET owner_id = excluded.owner_id, redemption_id = excluded.redemption_id, purpose = excluded.purpose, held_at = excluded.held_at`,
  ).run(hold);
}

export function deleteCardHold(db: Db, cardKey: string, ownerId: string): void {
  stmt(db, 'DELETE FROM card_holds WHERE card_key = ? AND owner_id = ?').run(cardKey, ownerId);
}

/** The newest event number: a point in the journal's order that no clock can move. */
export function lastEventSeq(db: Db): number {
  const row = stmt(db, 'SELECT max(seq) AS seq FROM events').get() as { seq: number | null };
  return row.seq ?? 0;
}

/**
 * Other redemptions of this card that started or finished a write since event `sinceSeq`: a
 * lookup taken before them no longer shows the card's balance.
 */
export function otherWritesSince(db: Db, realCode: string, excludeId: string, sinceSeq: number): number {
  const row = stmt(
    db,
    `SELECT count(*) AS n FROM redemptions r WHERE r.real_code = @realCode AND r.id != @excludeId
       AND EXISTS (SELECT 1 FROM events e WHERE e.redemption_id = r.id AND e.kind = 'state' AND e.seq > @sinceSeq
                   AND json_extract(e.data, '$.state') IN ('deducting', 'consuming', 'settled', 'voiding', 'voided', 'needs_review'))`,
  ).get({ realCode, excludeId, sinceSeq }) as { n: number };
  return row.n;
}

/** Other redemptions of this card with a write in flight (an outcome not yet read back). */
export function otherWritesInFlight(db: Db, realCode: string, excludeId: string): number {
  const row = stmt(db, "SELECT count(*) AS n FROM redemptions WHERE real_code = ? AND id != ? AND state IN ('deducting', 'consuming', 'voiding')").get(realCode, excludeId) as {
    n: number;
  };
  return row.n;
}
