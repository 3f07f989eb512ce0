/** Small counts the status bar shows, read from the journal. */
import { stmt, type Db } from './db.ts';

/** Redemptions waiting for a manager's decision. */
export function countNeedsReview(db: Db): number {
  return (stmt(db, "SELECT count(*) AS n FROM redemptions WHERE state = 'needs_review'").get() as { n: number }).n;
}
