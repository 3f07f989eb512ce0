/** The manager's CSV export of the journal: one row per redemption, amounts in yuan, then the chain head. */
import { formatFen } from '../../shared/money.ts';
import type { JournalHead } from './head.ts';
import type { RedemptionState } from '../../shared/contract.ts';
import { DEFAULT_LANGUAGE, REASON_MESSAGES, type Language } from '../../shared/i18n/reasons.ts';
import type { ReasonCode } from '../../shared/reasons.ts';
import type { RedemptionRow } from './redemptions.ts';
import { shownCode, toRedemptionView } from './views.ts';

/** The columns, as keys (stable names for scripts and tests); the header row is in words. */
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
  'shortfall',
] as const;
export type CsvColumn = (typeof CSV_HEADER)[number];

/** The header row a manager reads: Chinese by default, English by choice. */
export const CSV_HEADERS: Readonly<Record<Language, Readonly<Record<CsvColumn, string>>>> = {
  'zh-CN': {
    id: '交易号',
    time: '时间',
    terminal: '终端',
    cashier: '收银员',
    code: '卡号',
    card_id: '卡券ID',
    type: '类型',
    amount: '金额（元）',
    balance_before: '交易前余额（元）',
    balance_after: '交易后余额（元）',
    state: '状态',
    reason: '原因',
    offline: '离线受理',
    attempts: '尝试次数',
    shortfall: '差额另收（元）',
  },
  en: {
    id: 'Transaction',
    time: 'Time',
    terminal: 'Terminal',
    cashier: 'Cashier',
    code: 'Code',
    card_id: 'Card ID',
    type: 'Type',
    amount: 'Amount (CNY)',
    balance_before: 'Balance before (CNY)',
    balance_after: 'Balance after (CNY)',
    state: 'State',
    reason: 'Reason',
    offline: 'Offline',
    attempts: 'Attempts',
    shortfall: 'Left to collect (CNY)',
  },
};

const STATE_WORDS: Readonly<Record<Language, Readonly<Record<RedemptionState, string>>>> = {
  'zh-CN': {
    pending: '处理中',
    queued: '离线待上传',
    deducting: '扣款核对中',
    consuming: '核销中',
    voiding: '撤销中',
    settled: '成功',
    declined: '拒绝',
    needs_review: '待人工核对',
    voided: '已撤销',
    written_off: '已核销损失',
    collected_other: '已用其他方式收款',
  },
  en: {
    pending: 'Processing',
    queued: 'Queued offline',
    deducting: 'Being checked',
    consuming: 'Retiring the card',
    voiding: 'Voiding',
    settled: 'Settled',
    declined: 'Declined',
    needs_review: 'Needs review',
    voided: 'Voided',
    written_off: 'Written off',
    collected_other: 'Collected another way',
  },
};

const TYPE_WORDS: Readonly<Record<Language, Readonly<Record<'GIFT_CARD' | 'VOUCHER', string>>>> = {
  'zh-CN': { GIFT_CARD: '礼品卡', VOUCHER: '兑换券' },
  en: { GIFT_CARD: 'Gift card', VOUCHER: 'Voucher' },
};

/** A reason in words; a parameter the row does not carry is left out with its brackets. */
function reasonWords(reason: ReasonCode, language: Language): string {
  const template = REASON_MESSAGES[language][reason] ?? reason;
  return template
    .replace(/\s*[（(][^（()）]*\{\{\w+\}\}[^（()）]*[)）]/g, '')
    .replace(/\{\{\w+\}\}/g, '')
    .trim();
}

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

export function csvRow(row: RedemptionRow, language: Language = DEFAULT_LANGUAGE): string[] {
  const view = toRedemptionView(row);
  return [
    view.id,
    localDateTime(view.createdAt),
    view.terminalId,
    view.cashier,
    shownCode(view),
    view.cardId ?? '',
    view.subCardType ? TYPE_WORDS[language][view.subCardType] : '',
    money(view.amountFen),
    money(view.balanceBeforeFen),
    money(view.balanceAfterFen),
    STATE_WORDS[language][view.state] ?? view.state,
    view.reason ? reasonWords(view.reason, language) : '',
    view.offline ? (language === 'zh-CN' ? '是' : 'yes') : language === 'zh-CN' ? '否' : 'no',
    String(view.attempts),
    money(view.shortfallFen),
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
export function toCsv(rows: readonly RedemptionRow[], options: Readonly<{ head?: JournalHead | null; language?: Language }> = {}): string {
  const language = options.language ?? DEFAULT_LANGUAGE;
  const header = CSV_HEADER.map((column) => CSV_HEADERS[language][column]);
  const lines = [header.map(csvField).join(','), ...rows.map((row) => csvRow(row, language).map(csvField).join(','))];
  if (options.head !== undefined) lines.push(headTrailer(options.head));
  return `${lines.join('\r\n')}\r\n`;
}
