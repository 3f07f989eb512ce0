/** The manager's CSV export of the journal: one row per redemption, amounts in yuan, then the chain head. */
import { maskCode } from '../../shared/codes.ts';
import { formatFen } from '../../shared/money.ts';
import type { JournalHead } from './head.ts';
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

/**
 * A field a spreadsheet would run as a formula (starting =, +, -, @, tab or CR) gets a leading
 * apostrophe, as OWASP recommends against CSV injection: quoting alone does not stop Excel or
 * LibreOffice from evaluating it. Cashier names and terminal ids are free text from the settings.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const csvField = (value: string) => {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) || safe !== value ? `"${safe.replace(/"/g, '""')}"` : safe;
};

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

/**
 * The trailer naming the journal's chain head when the export was made, so a printed or archived
 * export can later be compared with the journal (`gcterm journal verify`): one line, one field,
 * starting with `#` so it reads as a comment and never as a formula.
 */
export function headTrailer(head: JournalHead | null): string {
  return head === null ? '# journal head: empty' : `# journal head: seq ${head.seq} sha256 ${head.hash}`;
}

/**
 * RFC 4180 CSV with a header; fields that a spreadsheet would run as formulas are neutralised.
 * With `head`, a last line names the chain head (headTrailer).
 */
export function toCsv(rows: readonly RedemptionRow[], options: Readonly<{ head?: JournalHead | null }> = {}): string {
  const lines = [CSV_HEADER.join(','), ...rows.map((row) => csvRow(row).map(csvField).join(','))];
  if (options.head !== undefined) lines.push(headTrailer(options.head));
  return `${lines.join('\r\n')}\r\n`;
}
