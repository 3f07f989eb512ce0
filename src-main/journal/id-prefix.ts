/** Redemption ids by the prefix `gcterm journal` prints (8 characters) or any longer part. */
import { stmt, type Db } from './db.ts';

/** Ids starting with `prefix` (hex digits and dashes only), at most `limit`, oldest first. */
export function redemptionIdsByPrefix(db: Db, prefix: string, limit = 20): string[] {
  if (!/^[0-9a-f-]{1,64}$/i.test(prefix)) return [];
  const rows = stmt(db, "SELECT id FROM redemptions WHERE id LIKE ? || '%' ORDER BY created_at LIMIT ?").all(prefix.toLowerCase(), limit) as { id: string }[];
  return rows.map((row) => row.id);
}
