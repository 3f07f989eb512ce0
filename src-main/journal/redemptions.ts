/**
 * Queries on the redemptions table: plain synchronous functions taking the database first.
 * Every insert and update appends a `state` event with the row's fingerprint in the same
 * transaction, so the row and the chain cannot disagree without `verifyChain` noticing.
 */
import type { CodeKind } from '../../shared/codes.ts';
import type { RedemptionState } from '../../shared/contract.ts';
import type { ReasonCode } from '../../shared/reasons.ts';
import { canTransition } from '../../shared/states.ts';
import { stmt, type Db } from './db.ts';
import { appendEvent, rowFingerprint } from './events.ts';

export type RedemptionRow = Readonly<{
  id: string;
  terminal_id: string;
  cashier: string;
  scanned_code: string;
  code_kind: CodeKind;
  scanned_at: number;
  real_code: string | null;
  card_id: string | null;
  card_title: string | null;
  sub_card_type: 'GIFT_CARD' | 'VOUCHER' | null;
  amount_fen: number;
  balance_before_fen: number | null;
  target_balance_fen: number | null;
  balance_after_fen: number | null;
  state: RedemptionState;
  reason: ReasonCode | null;
  detail: string | null;
  offline: number;
  attempts: number;
  created_at: number;
  updated_at: number;
  /** The part of the sale the card did not cover, collected another way (a partial redemption). */
  shortfall_fen: number | null;
}>;

export type RedemptionPatch = Partial<Omit<RedemptionRow, 'id' | 'created_at' | 'terminal_id'>>;

export type NewRedemption = Pick<RedemptionRow, 'id' | 'terminal_id' | 'cashier' | 'scanned_code' | 'code_kind' | 'scanned_at' | 'amount_fen' | 'state'> &
  Partial<RedemptionPatch> & { readonly created_at?: number };

const COLUMNS = [
  'id',
  'terminal_id',
  'cashier',
  'scanned_code',
  'code_kind',
  'scanned_at',
  'real_code',
  'card_id',
  'card_title',
  'sub_card_type',
  'amount_fen',
  'balance_before_fen',
  'target_balance_fen',
  'balance_after_fen',
  'state',
  'reason',
  'detail',
  'offline',
  'attempts',
  'created_at',
  'updated_at',
  'shortfall_fen',
] as const;

function stateEvent(db: Db, row: RedemptionRow, note: Readonly<Record<string, unknown>>): void {
  appendEvent(db, {
    redemptionId: row.id,
    kind: 'state',
    at: row.updated_at,
    data: { state: row.state, reason: row.reason, ...note, fingerprint: rowFingerprint(row) },
  });
}

export function getRedemption(db: Db, id: string): RedemptionRow | undefined {
  return stmt(db, 'SELECT * FROM redemptions WHERE id = ?').get(id) as RedemptionRow | undefined;
}

export function insertRedemption(db: Db, input: NewRedemption, note: Readonly<Record<string, unknown>> = {}): RedemptionRow {
  const now = input.created_at ?? Date.now();
  const row: RedemptionRow = {
    real_code: null,
    card_id: null,
    card_title: null,
    sub_card_type: null,
    balance_before_fen: null,
    target_balance_fen: null,
    balance_after_fen: null,
    reason: null,
    detail: null,
    offline: 0,
    attempts: 0,
    shortfall_fen: null,
    ...input,
    created_at: now,
    updated_at: now,
  };
  stmt(db, `INSERT INTO redemptions (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((c) => `@${c}`).join(', ')})`).run(row);
  stateEvent(db, row, note);
  return row;
}

/** A change that lost its race: the row is no longer in the state (or with the owner) the caller expected. */
export class TransitionLostError extends Error {
  constructor(
    readonly id: string,
    readonly expected: RedemptionState,
    readonly found: RedemptionState | null,
  ) {
    super(`redemption ${id}: expected ${expected}, found ${found ?? 'no row'}`);
    this.name = 'TransitionLostError';
  }
}

/**
 * Changes a redemption, compare-and-set: only while it is still in `from` (and, with `ownerId`,
 * still owned by that process), and only along the state machine (shared/states.ts). Throws
 * TransitionLostError when another process moved it first — the caller stops before any network
 * call. Call inside a transaction.
 */
export function updateRedemption(
  db: Db,
  id: string,
  from: RedemptionState,
  patch: RedemptionPatch,
  note: Readonly<Record<string, unknown>> = {},
  ownerId?: string,
): RedemptionRow {
  const to = patch.state ?? from;
  if (!canTransition(from, to)) throw new Error(`redemption ${id}: ${from} → ${to} is not a transition of the state machine`);
  const current = getRedemption(db, id);
  if (!current) throw new TransitionLostError(id, from, null);
  const row: RedemptionRow = { ...current, ...patch, updated_at: Math.max(Date.now(), current.updated_at) };
  const sets = Object.keys(patch)
    .concat('updated_at')
    .filter((k) => (COLUMNS as readonly string[]).includes(k) && k !== 'id')
    .map((k) => `${k} = @${k}`);
  const ownerClause = ownerId === undefined ? '' : ' AND (SELECT owner_id FROM redemption_owners WHERE redemption_id = @id) = @__owner';
  const result = stmt(db, `UPDATE redemptions SET ${sets.join(', ')} WHERE id = @id AND state = @__from${ownerClause}`).run({
    ...row,
    __from: from,
    ...(ownerId === undefined ? {} : { __owner: ownerId }),
  });
  if (result.changes !== 1) throw new TransitionLostError(id, from, current.state === from ? current.state : current.state);
  stateEvent(db, row, note);
  return row;
}

export type RedemptionFilter = Readonly<{
  fromMs?: number;
  toMs?: number;
  state?: RedemptionState;
  states?: readonly RedemptionState[];
  cashier?: string;
  search?: string;
  realCode?: string;
}>;

export function listRedemptions(db: Db, filter: RedemptionFilter = {}): RedemptionRow[] {
  const where: string[] = [];
  const params: Record<string, unknown> = {};
  if (filter.fromMs !== undefined) {
    where.push('created_at >= @fromMs');
    params.fromMs = filter.fromMs;
  }
  if (filter.toMs !== undefined) {
    where.push('created_at < @toMs');
    params.toMs = filter.toMs;
  }
  if (filter.state) {
    where.push('state = @state');
    params.state = filter.state;
  }
  if (filter.states) {
    where.push(`state IN (${filter.states.map((_, i) => `@s${i}`).join(', ')})`);
    filter.states.forEach((s, i) => (params[`s${i}`] = s));
  }
  if (filter.cashier) {
    where.push('cashier = @cashier');
    params.cashier = filter.cashier;
  }
  if (filter.realCode) {
    where.push('real_code = @realCode');
    params.realCode = filter.realCode;
  }
  if (filter.search) {
    where.push("(scanned_code LIKE @search ESCAPE '\\' OR real_code LIKE @search ESCAPE '\\' OR id LIKE @search ESCAPE '\\')");
    params.search = `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  }
  const sql = `SELECT * FROM redemptions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, rowid`;
  return stmt(db, sql).all(params) as RedemptionRow[];
}

/** Local-time day boundaries of "YYYY-MM-DD" as unix ms [from, to). */
export function dayRange(date: string): Readonly<{ fromMs: number; toMs: number }> {
  const [y, m, d] = date.split('-').map((n) => Number.parseInt(n, 10));
  const from = new Date(y ?? 1970, (m ?? 1) - 1, d ?? 1);
  const to = new Date(y ?? 1970, (m ?? 1) - 1, (d ?? 1) + 1);
  return { fromMs: from.getTime(), toMs: to.getTime() };
}

export function localDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
