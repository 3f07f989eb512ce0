/**
 * Local knowledge about cards: dynamic codes seen (replay check), cached card definitions, and
 * the last online view of each card (for the offline rules), plus durable secrets such as the
 * rotating authorizer refresh token.
 */
import type { CardDefinition } from '../wechat/schemas.ts';
import { stmt, type Db } from './db.ts';

export type DynamicCodeRow = Readonly<{
  dynamic_code: string;
  real_code: string | null;
  card_id: string | null;
  first_seen_at: number;
  redemption_id: string | null;
}>;

export function getDynamicCode(db: Db, dynamicCode: string): DynamicCodeRow | undefined {
  return stmt(db, 'SELECT * FROM dynamic_codes WHERE dynamic_code = ?').get(dynamicCode) as DynamicCodeRow | undefined;
}

/** Remembers a presented dynamic code; false when it was seen before (a replay). */
export function recordDynamicCode(db: Db, dynamicCode: string, redemptionId: string | null, at: number): boolean {
  const result = stmt(db, 'INSERT OR IGNORE INTO dynamic_codes (dynamic_code, first_seen_at, redemption_id) VALUES (?, ?, ?)').run(dynamicCode, at, redemptionId);
  return result.changes === 1;
}

/** How long a dynamic code resolved by a balance inquiry may still be redeemed (WeChat's own validity). */
export const DYNAMIC_CODE_VALID_MS = 5 * 60_000;

/**
 * Claims a presented dynamic code for a redemption. `fresh`: never seen; `looked_up`: resolved a
 * moment ago by a balance inquiry at this counter (its real code is known, so it need not be
 * resolved twice); `replay`: already redeemed, or seen too long ago — a screenshot.
 */
export function claimDynamicCode(db: Db, dynamicCode: string, redemptionId: string, at: number): 'fresh' | 'looked_up' | 'replay' {
  if (recordDynamicCode(db, dynamicCode, redemptionId, at)) return 'fresh';
  const seen = getDynamicCode(db, dynamicCode);
  if (!seen || seen.redemption_id !== null || at - seen.first_seen_at > DYNAMIC_CODE_VALID_MS) return 'replay';
  stmt(db, 'UPDATE dynamic_codes SET redemption_id = ? WHERE dynamic_code = ? AND redemption_id IS NULL').run(redemptionId, dynamicCode);
  return seen.real_code === null ? 'fresh' : 'looked_up';
}

/**
 * Gives a dynamic code back after its redemption was declined with nothing moved: the customer
 * may present it again while WeChat still accepts it. A code whose redemption moved money is
 * never given back.
 */
export function releaseDynamicCode(db: Db, dynamicCode: string, redemptionId: string): void {
  stmt(db, 'UPDATE dynamic_codes SET redemption_id = NULL WHERE dynamic_code = ? AND redemption_id = ?').run(dynamicCode, redemptionId);
}

export function mapDynamicCode(db: Db, dynamicCode: string, realCode: string, cardId: string): void {
  stmt(db, 'UPDATE dynamic_codes SET real_code = ?, card_id = ? WHERE dynamic_code = ? AND real_code IS NULL').run(realCode, cardId, dynamicCode);
}

export function getCardDefinition(db: Db, cardId: string, maxAgeMs: number, now: number): CardDefinition | undefined {
  const row = stmt(db, 'SELECT data, fetched_at FROM card_definitions WHERE card_id = ?').get(cardId) as
    | { data: string; fetched_at: number }
    | undefined;
  if (!row || now - row.fetched_at > maxAgeMs) return undefined;
  return JSON.parse(row.data) as CardDefinition;
}

export function putCardDefinition(db: Db, definition: CardDefinition, now: number): void {
  stmt(db, 'INSERT OR REPLACE INTO card_definitions (card_id, data, fetched_at) VALUES (?, ?, ?)').run(
    definition.cardId,
    JSON.stringify(definition),
    now,
  );
}

export type CachedCard = Readonly<{
  real_code: string;
  card_id: string;
  sub_card_type: string | null;
  balance_fen: number | null;
  user_card_status: string | null;
  end_time: number | null;
  use_dynamic_code: number;
  seen_at: number;
}>;

export function getCachedCard(db: Db, realCode: string): CachedCard | undefined {
  return stmt(db, 'SELECT * FROM card_cache WHERE real_code = ?').get(realCode) as CachedCard | undefined;
}

export function putCachedCard(db: Db, card: CachedCard): void {
  stmt(db, 
    `INSERT OR REPLACE INTO card_cache (real_code, card_id, sub_card_type, balance_fen, user_card_status, end_time, use_dynamic_code, seen_at)
     VALUES (@real_code, @card_id, @sub_card_type, @balance_fen, @user_card_status, @end_time, @use_dynamic_code, @seen_at)`,
  ).run(card);
}

/** What the terminal now knows of a card's balance after its own write. */
export function setCachedBalance(db: Db, realCode: string, balanceFen: number | null, at: number): void {
  stmt(db, 'UPDATE card_cache SET balance_fen = ?, seen_at = ? WHERE real_code = ?').run(balanceFen, at, realCode);
}

export function setCachedConsumed(db: Db, realCode: string, at: number): void {
  stmt(db, "UPDATE card_cache SET balance_fen = 0, user_card_status = 'CONSUMED', seen_at = ? WHERE real_code = ?").run(at, realCode);
}

/** Card ids of cached definitions that use custom codes (a scanned custom code needs its card_id). */
export function customCodeCardIds(db: Db): string[] {
  return (stmt(db, 'SELECT data FROM card_definitions').all() as Array<{ data: string }>)
    .map((row) => JSON.parse(row.data) as CardDefinition)
    .filter((definition) => definition.useCustomCode)
    .map((definition) => definition.cardId);
}

export function getSecret(db: Db, name: string): string | null {
  const row = stmt(db, 'SELECT value FROM secrets WHERE name = ?').get(name) as { value: string } | undefined;
  return row?.value ?? null;
}

/** Durable at return (its own synchronous=FULL commit). */
export function putSecret(db: Db, name: string, value: string): void {
  stmt(db, 'INSERT OR REPLACE INTO secrets (name, value, updated_at) VALUES (?, ?, ?)').run(name, value, Date.now());
}
