/** The manager's CSV export of the journal: one row per redemption, amounts in yuan. */
import { maskCode } from '../../shared/codes.ts';
import { formatFen } from '../../shared/money.ts';
import type { RedemptionRow } from './redemptions.ts';

export const CSV_HEADER = [
  'id',
  'time',
  'terminal',
  'cashier',
  'code',
  'card_id',
  'type',
  'amount',
  'balance_before',
  'balance_after',
  'state',
  'reason',
  'offline',
  'attempts',
] as const;

const csvField = (value: string) => (/[",\r\n]/.test(value) || /^[=+\-@]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

const money = (fen: number | null) => (fen === null ? '' : formatFen(fen));

/** Local time as "YYYY-MM-DD HH:MM:SS". */
export function localDateTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export function csvRow(row: RedemptionRow): string[] {
  return [
    row.id,
    localDateTime(row.created_at),
    row.terminal_id,
    row.cashier,
    maskCode(row.real_code ?? row.scanned_code),
    row.card_id ?? '',
    row.sub_card_type ?? '',
    money(row.amount_fen),
    money(row.balance_before_fen),
    money(row.balance_after_fen),
    row.state,
    row.reason ?? '',
    row.offline ? 'yes' : 'no',
    String(row.attempts),
  ];
}

/** RFC 4180 CSV with a header; fields that a spreadsheet would run as formulas are quoted. */
export function toCsv(rows: readonly RedemptionRow[]): string {
  const lines = [CSV_HEADER.join(','), ...rows.map((row) => csvRow(row).map(csvField).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}
