/**
 * Cashiers' shifts and the day's Z-report, in the journal (migration 0004).
 * A shift opens when a cashier signs in (signing in again keeps the open one) and closes with a
 * handover report: their redemptions, totals by state, voids, offline, shortfalls. The Z-report
 * closes a business day: a running Z number, totals by cashier and by shift, voids, offline,
 * shortfalls and the journal's head (the last event's seq and hash), stored as taken so a reprint
 * is the same paper. Opening and closing shifts and taking a Z-report are chain events too.
 */
import type { RedemptionState } from '../../shared/contract.ts';
import { inTransaction, stmt, type Db } from './db.ts';
import { appendEvent } from './events.ts';
import { dayRange, listRedemptions, type RedemptionRow } from './redemptions.ts';
import { shortfallOf } from '../printing/receipt.ts';

export type ShiftRow = Readonly<{
  id: number;
  terminal_id: string;
  cashier: string;
  opened_at: number;
  closed_at: number | null;
  closed_by: string | null;
}>;

type CountFen = { count: number; amountFen: number };

/** What a set of redemptions adds up to. Amounts in fen; a partial counts what the card paid. */
export type Tally = Readonly<{
  count: number;
  byState: Readonly<Partial<Record<RedemptionState, CountFen>>>;
  /** Settled: money taken from cards (partials included, their card part). */
  settled: CountFen;
  voided: CountFen;
  /** Accepted offline (whatever became of them since). */
  offline: CountFen;
  /** Still queued now: not yet deducted. */
  queued: CountFen;
  /** Partial redemptions: the amount the card did not cover, collected another way. */
  shortfall: CountFen;
  needsReview: number;
}>;

export function tally(rows: readonly RedemptionRow[]): Tally {
  const byState: Partial<Record<RedemptionState, CountFen>> = {};
  const settled = { count: 0, amountFen: 0 };
  const voided = { count: 0, amountFen: 0 };
  const offline = { count: 0, amountFen: 0 };
  const queued = { count: 0, amountFen: 0 };
  const shortfall = { count: 0, amountFen: 0 };
  let needsReview = 0;
  const add = (entry: CountFen, fen: number) => {
    entry.count++;
    entry.amountFen += fen;
  };
  for (const row of rows) {
    add((byState[row.state] ??= { count: 0, amountFen: 0 }), row.amount_fen);
    if (row.state === 'settled') add(settled, row.amount_fen);
    if (row.state === 'voided') add(voided, row.amount_fen);
    if (row.state === 'queued') add(queued, row.amount_fen);
    if (row.state === 'needs_review') needsReview++;
    if (row.offline === 1) add(offline, row.amount_fen);
    const short = shortfallOf(row);
    if (short > 0 && row.state === 'settled') add(shortfall, short);
  }
  return { count: rows.length, byState, settled, voided, offline, queued, shortfall, needsReview };
}

export const getShift = (db: Db, id: number): ShiftRow | undefined => stmt(db, 'SELECT * FROM shifts WHERE id = ?').get(id) as ShiftRow | undefined;

export const openShiftOf = (db: Db, terminalId: string, cashier: string): ShiftRow | undefined =>
  stmt(db, 'SELECT * FROM shifts WHERE terminal_id = ? AND cashier = ? AND closed_at IS NULL ORDER BY id DESC LIMIT 1').get(terminalId, cashier) as ShiftRow | undefined;

/** Opens the cashier's shift, or returns the one still open (a second sign-in is the same shift). */
export function openShift(db: Db, terminalId: string, cashier: string, at: number = Date.now()): ShiftRow {
  return inTransaction(db, () => {
    const open = openShiftOf(db, terminalId, cashier);
    if (open) return open;
    const id = Number(stmt(db, 'INSERT INTO shifts (terminal_id, cashier, opened_at) VALUES (?, ?, ?)').run(terminalId, cashier, at).lastInsertRowid);
    appendEvent(db, { redemptionId: null, kind: 'shift_open', at, data: { shift: id, terminalId, cashier } });
    return getShift(db, id) as ShiftRow;
  });
}

export type ShiftReport = Readonly<{ shift: ShiftRow; tally: Tally; rows: readonly RedemptionRow[] }>;

/** The cashier's redemptions on this terminal while the shift was open. */
export function shiftReport(db: Db, shift: ShiftRow, now: number = Date.now()): ShiftReport {
  const rows = listRedemptions(db, { fromMs: shift.opened_at, toMs: (shift.closed_at ?? now) + 1, cashier: shift.cashier }).filter((row) => row.terminal_id === shift.terminal_id);
  return { shift, tally: tally(rows), rows };
}

export type CloseResult = { ok: true; report: ShiftReport } | { ok: false; reason: 'no_open_shift' };

/** Closes the cashier's open shift (by whoever hands it over) and returns its handover report. */
export function closeShift(db: Db, terminalId: string, cashier: string, closedBy: string, at: number = Date.now()): CloseResult {
  return inTransaction(db, () => {
    const open = openShiftOf(db, terminalId, cashier);
    if (!open) return { ok: false, reason: 'no_open_shift' } as const;
    stmt(db, 'UPDATE shifts SET closed_at = ?, closed_by = ? WHERE id = ?').run(at, closedBy, open.id);
    const closed = getShift(db, open.id) as ShiftRow;
    const report = shiftReport(db, closed, at);
    appendEvent(db, {
      redemptionId: null,
      kind: 'shift_close',
      at,
      data: { shift: open.id, terminalId, cashier, closedBy, count: report.tally.count, settledFen: report.tally.settled.amountFen },
    });
    return { ok: true, report } as const;
  });
}

/** Shifts that overlap [fromMs, toMs). */
export const shiftsBetween = (db: Db, terminalId: string, fromMs: number, toMs: number): ShiftRow[] =>
  stmt(db, 'SELECT * FROM shifts WHERE terminal_id = ? AND opened_at < ? AND (closed_at IS NULL OR closed_at >= ?) ORDER BY opened_at, id').all(terminalId, toMs, fromMs) as ShiftRow[];

export type ZReport = Readonly<{
  zNumber: number;
  terminalId: string;
  date: string;
  takenAt: number;
  takenBy: string;
  total: Tally;
  byCashier: ReadonlyArray<Readonly<{ cashier: string; tally: Tally }>>;
  byShift: ReadonlyArray<Readonly<{ id: number; cashier: string; openedAt: number; closedAt: number | null; tally: Tally }>>;
  /** The journal's last event when the report was taken: anything after it is not in this report. */
  journalHead: Readonly<{ seq: number; hash: string }> | null;
}>;

/** The last event of the chain (same as journal/head.ts journalHead, read here directly). */
function lastEvent(db: Db): { seq: number; hash: string } | null {
  return (stmt(db, 'SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined) ?? null;
}

function buildZReport(db: Db, terminalId: string, date: string, zNumber: number, takenAt: number, takenBy: string): ZReport {
  const range = dayRange(date);
  const rows = listRedemptions(db, range).filter((row) => row.terminal_id === terminalId);
  const cashiers = [...new Set(rows.map((row) => row.cashier))].sort();
  const byShift = shiftsBetween(db, terminalId, range.fromMs, range.toMs).map((shift) => {
    const end = Math.min(shift.closed_at === null ? range.toMs : shift.closed_at + 1, range.toMs);
    const mine = rows.filter((row) => row.cashier === shift.cashier && row.created_at >= shift.opened_at && row.created_at < end);
    return { id: shift.id, cashier: shift.cashier, openedAt: shift.opened_at, closedAt: shift.closed_at, tally: tally(mine) };
  });
  return {
    zNumber,
    terminalId,
    date,
    takenAt,
    takenBy,
    total: tally(rows),
    byCashier: cashiers.map((cashier) => ({ cashier, tally: tally(rows.filter((row) => row.cashier === cashier)) })),
    byShift,
    journalHead: lastEvent(db),
  };
}

export type ZResult = Readonly<{ report: ZReport; reprint: boolean }>;

/**
 * The Z-report of `date`: taken once per business day with the next Z number and kept; asking
 * again returns the stored one (a reprint). The Z is also an event in the chain.
 */
export function takeZReport(db: Db, terminalId: string, date: string, takenBy: string, at: number = Date.now()): ZResult {
  return inTransaction(db, () => {
    const stored = stmt(db, 'SELECT data FROM z_reports WHERE terminal_id = ? AND business_date = ?').get(terminalId, date) as { data: string } | undefined;
    if (stored) return { report: JSON.parse(stored.data) as ZReport, reprint: true };
    const last = stmt(db, 'SELECT max(z_number) AS n FROM z_reports').get() as { n: number | null };
    const zNumber = (last.n ?? 0) + 1;
    const report = buildZReport(db, terminalId, date, zNumber, at, takenBy);
    stmt(db, 'INSERT INTO z_reports (z_number, terminal_id, business_date, taken_at, taken_by, data) VALUES (?, ?, ?, ?, ?, ?)').run(
      zNumber,
      terminalId,
      date,
      at,
      takenBy,
      JSON.stringify(report),
    );
    appendEvent(db, { redemptionId: null, kind: 'z_report', at, data: { zNumber, date, terminalId, takenBy, count: report.total.count, settledFen: report.total.settled.amountFen } });
    return { report, reprint: false };
  });
}

/** A preview of the day as a Z-report would show it now, without taking it (no number used). */
export function previewZReport(db: Db, terminalId: string, date: string, by: string, at: number = Date.now()): ZReport {
  const last = stmt(db, 'SELECT max(z_number) AS n FROM z_reports').get() as { n: number | null };
  return buildZReport(db, terminalId, date, (last.n ?? 0) + 1, at, by);
}

export const listZReports = (db: Db): Array<{ z_number: number; business_date: string; taken_at: number; taken_by: string }> =>
  stmt(db, 'SELECT z_number, business_date, taken_at, taken_by FROM z_reports ORDER BY z_number').all() as Array<{
    z_number: number;
    business_date: string;
    taken_at: number;
    taken_by: string;
  }>;
