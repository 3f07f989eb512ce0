/** The offline queue as the journal holds it: redemptions accepted offline, waiting to be forwarded. */
import { stmt, type Db } from './db.ts';

export type QueueStatus = Readonly<{ depth: number; queuedFen: number; oldestQueuedAt: number | null }>;

/** How many redemptions are queued, for how much, and since when (the offline limits and the status bar). */
export function queueStatus(db: Db): QueueStatus {
  const row = stmt(db, "SELECT count(*) AS depth, coalesce(sum(amount_fen), 0) AS fen, min(created_at) AS oldest FROM redemptions WHERE state = 'queued'").get() as {
    depth: number;
    fen: number;
    oldest: number | null;
  };
  return { depth: row.depth, queuedFen: row.fen, oldestQueuedAt: row.oldest };
}
