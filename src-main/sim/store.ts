/**
 * The simulator's SQLite state: plain synchronous queries taking the database first, grouped by
 * table. The HTTP layer calls them from one thread, so each request's reads and writes are atomic.
 */
import Database from 'better-sqlite3';
import { openDurableSqlite, runMigrations, type Migration } from '../sqlite.ts';
import type { CardStatus, SubCardType, UserCardStatus } from './constants.ts';
import { MIGRATIONS } from './migrations/index.ts';

export type SimDb = Database.Database;

export class SimDbTooNewError extends Error {
  constructor(found: number, supported: number) {
    super(`the simulator database is version ${found}, newer than this simulator supports (${supported}): update gcterm or use another --db`);
    this.name = 'SimDbTooNewError';
  }
}

const tooNew = (found: number, supported: number) => new SimDbTooNewError(found, supported);

export function migrateSimDb(db: SimDb, migrations: readonly Migration[] = MIGRATIONS): void {
  runMigrations(db, migrations, tooNew);
}

/**
 * Opens (creating if needed) the simulator database; `undefined` is a private in-memory one.
 * Durable like the journal: the simulator stands in for WeChat's own storage, so a write it
 * answered must survive a kill.
 */
export function openSimDb(path: string | undefined): SimDb {
  return openDurableSqlite(path ?? ':memory:', MIGRATIONS, tooNew);
}

// ---------------------------------------------------------------------------------------------
// cards

export type Card = Readonly<{
  cardId: string;
  subCardType: SubCardType;
  status: CardStatus;
  title: string;
  brandName: string;
  logoUrl: string;
  useDynamicCode: boolean;
  useCustomCode: boolean;
  useAllLocations: boolean;
  locationIds: readonly number[];
  merchantId: number | null;
  /** Both null: DATE_TYPE_PERMANENT. */
  beginTime: number | null;
  endTime: number | null;
  createdAt: number;
}>;

type CardRow = {
  card_id: string;
  sub_card_type: SubCardType;
  status: CardStatus;
  title: string;
  brand_name: string;
  logo_url: string;
  use_dynamic_code: number;
  use_custom_code: number;
  use_all_locations: number;
  location_ids: string;
  merchant_id: number | null;
  begin_time: number | null;
  end_time: number | null;
  created_at: number;
};

function parseLocationIds(json: string): readonly number[] {
  const parsed: unknown = JSON.parse(json);
  return Array.isArray(parsed) ? parsed.filter((id): id is number => typeof id === 'number') : [];
}

export function insertCard(db: SimDb, card: Card): void {
  db.prepare(
    `INSERT INTO cards (card_id, sub_card_type, status, title, brand_name, logo_url, use_dynamic_code,
       use_custom_code, use_all_locations, location_ids, merchant_id, begin_time, end_time, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    card.cardId,
    card.subCardType,
    card.status,
    card.title,
    card.brandName,
    card.logoUrl,
    card.useDynamicCode ? 1 : 0,
    card.useCustomCode ? 1 : 0,
    card.useAllLocations ? 1 : 0,
    JSON.stringify(card.locationIds),
    card.merchantId,
    card.beginTime,
    card.endTime,
    card.createdAt,
  );
}

export function getCard(db: SimDb, cardId: string): Card | undefined {
  const row = db.prepare('SELECT * FROM cards WHERE card_id = ?').get(cardId) as CardRow | undefined;
  if (!row) return undefined;
  return {
    cardId: row.card_id,
    subCardType: row.sub_card_type,
    status: row.status,
    title: row.title,
    brandName: row.brand_name,
    logoUrl: row.logo_url,
    useDynamicCode: row.use_dynamic_code === 1,
    useCustomCode: row.use_custom_code === 1,
    useAllLocations: row.use_all_locations === 1,
    locationIds: parseLocationIds(row.location_ids),
    merchantId: row.merchant_id,
    beginTime: row.begin_time,
    endTime: row.end_time,
    createdAt: row.created_at,
  };
}

export function countCards(db: SimDb): number {
  return (db.prepare('SELECT count(*) AS n FROM cards').get() as { n: number }).n;
}

// ---------------------------------------------------------------------------------------------
// codes

export type CardCode = Readonly<{
  code: string;
  cardId: string;
  openid: string;
  userCardStatus: UserCardStatus;
  balanceFen: number;
  bonus: number;
  orderId: string;
  backgroundPicUrl: string;
  receivedAt: number;
}>;

type CodeRow = {
  code: string;
  card_id: string;
  openid: string;
  user_card_status: UserCardStatus;
  balance_fen: number;
  bonus: number;
  order_id: string;
  background_pic_url: string;
  received_at: number;
};

export function insertCode(db: SimDb, code: CardCode): void {
  db.prepare(
    `INSERT INTO codes (code, card_id, openid, user_card_status, balance_fen, bonus, order_id, background_pic_url, received_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    code.code,
    code.cardId,
    code.openid,
    code.userCardStatus,
    code.balanceFen,
    code.bonus,
    code.orderId,
    code.backgroundPicUrl,
    code.receivedAt,
  );
}

export function getCode(db: SimDb, code: string): CardCode | undefined {
  const row = db.prepare('SELECT * FROM codes WHERE code = ?').get(code) as CodeRow | undefined;
  if (!row) return undefined;
  return {
    code: row.code,
    cardId: row.card_id,
    openid: row.openid,
    userCardStatus: row.user_card_status,
    balanceFen: row.balance_fen,
    bonus: row.bonus,
    orderId: row.order_id,
    backgroundPicUrl: row.background_pic_url,
    receivedAt: row.received_at,
  };
}

export function codeExists(db: SimDb, code: string): boolean {
  return db.prepare('SELECT 1 FROM codes WHERE code = ? UNION ALL SELECT 1 FROM dynamic_codes WHERE dynamic_code = ?').get(code, code) !== undefined;
}

export function updateCodeBalance(db: SimDb, code: string, balanceFen: number, backgroundPicUrl: string | undefined): void {
  db.prepare('UPDATE codes SET balance_fen = ?, background_pic_url = coalesce(?, background_pic_url) WHERE code = ?').run(
    balanceFen,
    backgroundPicUrl ?? null,
    code,
  );
}

export function updateCodeStatus(db: SimDb, code: string, status: UserCardStatus): void {
  db.prepare('UPDATE codes SET user_card_status = ? WHERE code = ?').run(status, code);
}

// ---------------------------------------------------------------------------------------------
// dynamic codes

export type DynamicCode = Readonly<{ dynamicCode: string; code: string; issuedAt: number; expiresAt: number }>;

export function insertDynamicCode(db: SimDb, dynamic: DynamicCode): void {
  db.prepare('INSERT INTO dynamic_codes (dynamic_code, code, issued_at, expires_at) VALUES (?, ?, ?, ?)').run(
    dynamic.dynamicCode,
    dynamic.code,
    dynamic.issuedAt,
    dynamic.expiresAt,
  );
}

export function getDynamicCode(db: SimDb, dynamicCode: string): DynamicCode | undefined {
  return db
    .prepare('SELECT dynamic_code AS dynamicCode, code, issued_at AS issuedAt, expires_at AS expiresAt FROM dynamic_codes WHERE dynamic_code = ?')
    .get(dynamicCode) as DynamicCode | undefined;
}

// ---------------------------------------------------------------------------------------------
// history

export type HistoryKind = 'updateuser' | 'consume';
export type HistoryEntry = Readonly<{ at: number; kind: HistoryKind; balanceFen: number | null; recordBalance: string | null }>;

export function insertHistory(db: SimDb, code: string, entry: HistoryEntry): void {
  db.prepare('INSERT INTO history (code, at, kind, balance_fen, record_balance) VALUES (?, ?, ?, ?, ?)').run(
    code,
    entry.at,
    entry.kind,
    entry.balanceFen,
    entry.recordBalance,
  );
}

export function listHistory(db: SimDb, code: string): readonly HistoryEntry[] {
  return db
    .prepare('SELECT at, kind, balance_fen AS balanceFen, record_balance AS recordBalance FROM history WHERE code = ? ORDER BY id')
    .all(code) as HistoryEntry[];
}

// ---------------------------------------------------------------------------------------------
// tokens

export type TokenKind = 'basic' | 'stable' | 'component' | 'authorizer';
export type IssuedToken = Readonly<{
  token: string;
  kind: TokenKind;
  appid: string;
  issuedAt: number;
  expiresAt: number;
  invalidAfter: number | null;
  forced: boolean;
}>;

type TokenRow = Omit<IssuedToken, 'forced'> & { forced: number };
const TOKEN_COLUMNS = 'token, kind, appid, issued_at AS issuedAt, expires_at AS expiresAt, invalid_after AS invalidAfter, forced';
const toToken = (row: TokenRow | undefined): IssuedToken | undefined => (row ? { ...row, forced: row.forced === 1 } : undefined);

export function insertToken(db: SimDb, token: IssuedToken): void {
  db.prepare('INSERT INTO tokens (token, kind, appid, issued_at, expires_at, invalid_after, forced) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
    token.token,
    token.kind,
    token.appid,
    token.issuedAt,
    token.expiresAt,
    token.invalidAfter,
    token.forced ? 1 : 0,
  );
}

export function getToken(db: SimDb, token: string): IssuedToken | undefined {
  return toToken(db.prepare(`SELECT ${TOKEN_COLUMNS} FROM tokens WHERE token = ?`).get(token) as TokenRow | undefined);
}

/** The newest token of a kind for an appid (the current stable token). */
export function latestToken(db: SimDb, kind: TokenKind, appid: string): IssuedToken | undefined {
  return toToken(
    db.prepare(`SELECT ${TOKEN_COLUMNS} FROM tokens WHERE kind = ? AND appid = ? ORDER BY issued_at DESC, rowid DESC LIMIT 1`).get(kind, appid) as
      | TokenRow
      | undefined,
  );
}

/** Marks every not-yet-superseded token of a kind and appid to stop working at `invalidAfter`. */
export function supersedeTokens(db: SimDb, kind: TokenKind, appid: string, invalidAfter: number): void {
  db.prepare('UPDATE tokens SET invalid_after = min(?, expires_at) WHERE kind = ? AND appid = ? AND invalid_after IS NULL').run(
    invalidAfter,
    kind,
    appid,
  );
}

export function forcedTokensSince(db: SimDb, appid: string, since: number): readonly number[] {
  const rows = db
    .prepare("SELECT issued_at AS issuedAt FROM tokens WHERE kind = 'stable' AND appid = ? AND forced = 1 AND issued_at >= ? ORDER BY issued_at")
    .all(appid, since) as { issuedAt: number }[];
  return rows.map((row) => row.issuedAt);
}

/** Tokens dead for more than a day are of no use, even to the daily force_refresh count. */
export function pruneTokens(db: SimDb, now: number): void {
  db.prepare('DELETE FROM tokens WHERE expires_at < ?').run(now - 86_400);
}

// ---------------------------------------------------------------------------------------------
// refresh tokens

export type RefreshToken = Readonly<{ token: string; authorizerAppid: string; issuedAt: number; invalidAfter: number | null }>;

export function insertRefreshToken(db: SimDb, token: RefreshToken): void {
  db.prepare('INSERT INTO refresh_tokens (token, authorizer_appid, issued_at, invalid_after) VALUES (?, ?, ?, ?)').run(
    token.token,
    token.authorizerAppid,
    token.issuedAt,
    token.invalidAfter,
  );
}

export function getRefreshToken(db: SimDb, token: string): RefreshToken | undefined {
  return db
    .prepare('SELECT token, authorizer_appid AS authorizerAppid, issued_at AS issuedAt, invalid_after AS invalidAfter FROM refresh_tokens WHERE token = ?')
    .get(token) as RefreshToken | undefined;
}

export function countRefreshTokens(db: SimDb): number {
  return (db.prepare('SELECT count(*) AS n FROM refresh_tokens').get() as { n: number }).n;
}

export function supersedeRefreshTokens(db: SimDb, authorizerAppid: string, invalidAfter: number): void {
  db.prepare('UPDATE refresh_tokens SET invalid_after = ? WHERE authorizer_appid = ? AND invalid_after IS NULL').run(invalidAfter, authorizerAppid);
}
