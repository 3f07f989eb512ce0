/**
 * The customer's receipt (小票) of one redemption, in the terminal's language: store, terminal,
 * time, cashier, card, masked code, amount, balance left and the transaction number as text and
 * as a QR code. Distinct receipts for a redemption queued offline (nothing deducted yet), a void,
 * and a partial redemption (the amount left to collect another way).
 */
import { maskCode } from '../../shared/codes.ts';
import type { Language } from '../../shared/i18n/reasons.ts';
import { formatYuan } from '../../shared/money.ts';
import { localDateTime } from '../journal/export.ts';
import type { RedemptionRow } from '../journal/redemptions.ts';
import type { Block, PaperWidth, PrintDocument } from './layout.ts';

export type ReceiptKind = 'sale' | 'partial' | 'queued' | 'void';

export type ReceiptContext = Readonly<{
  storeName: string;
  terminalId: string;
  language: Language;
  paperWidth: PaperWidth;
  /** A copy printed again from the journal: marked as such. */
  reprint?: boolean;
  /** When the copy is printed (reprints say so). */
  printedAt?: number;
}>;

const TEXT = {
  'zh-CN': {
    store: '礼品卡收银',
    sale: '礼品卡消费凭证',
    partial: '礼品卡部分支付凭证',
    queued: '离线受理凭证',
    void: '礼品卡撤销凭证',
    reprint: '*** 重印 ***',
    reprintedAt: '重印时间',
    terminal: '终端',
    time: '时间',
    voidedAt: '撤销时间',
    cashier: '收银员',
    card: '卡券',
    code: '卡号',
    amount: '消费金额',
    total: '应付金额',
    paidByCard: '礼品卡支付',
    toCollect: '尚需另行收取',
    balance: '卡内余额',
    refund: '退回金额',
    balanceRestored: '恢复后余额',
    queuedAmount: '受理金额',
    notDeducted: '尚未扣款',
    queuedNote: '网络恢复后自动扣款，余额以扣款后为准。此凭证不是扣款成功凭证。',
    voidNote: '原交易已撤销，金额已退回礼品卡。',
    partialNote: '卡内余额不足，差额请以其他方式支付。',
    transaction: '交易号',
    thanks: '谢谢惠顾',
    voucher: '兑换券已核销',
  },
  en: {
    store: 'Gift card counter',
    sale: 'GIFT CARD RECEIPT',
    partial: 'GIFT CARD PART PAYMENT',
    queued: 'ACCEPTED OFFLINE',
    void: 'GIFT CARD VOID',
    reprint: '*** REPRINT ***',
    reprintedAt: 'Reprinted',
    terminal: 'Terminal',
    time: 'Time',
    voidedAt: 'Voided',
    cashier: 'Cashier',
    card: 'Card',
    code: 'Code',
    amount: 'Amount',
    total: 'Sale total',
    paidByCard: 'Paid by gift card',
    toCollect: 'Left to collect',
    balance: 'Balance left',
    refund: 'Refunded',
    balanceRestored: 'Balance now',
    queuedAmount: 'Amount accepted',
    notDeducted: 'NOT YET DEDUCTED',
    queuedNote: 'Deducted when the network is back; the balance is known then. This is not a payment confirmation.',
    voidNote: 'The redemption was voided and the amount returned to the card.',
    partialNote: 'The card did not cover the sale: collect the rest another way.',
    transaction: 'Transaction',
    thanks: 'Thank you',
    voucher: 'Voucher redeemed',
  },
} as const;

export type ReceiptText = (typeof TEXT)[Language];
export const receiptText = (language: Language): ReceiptText => TEXT[language];

/** The amount the card did not cover (migration 0002's column; absent on older journals). */
export const shortfallOf = (row: RedemptionRow): number => (row as RedemptionRow & { shortfall_fen?: number | null }).shortfall_fen ?? 0;

/** Which receipt a redemption gets, or null when none is due (declined, needs review…). */
export function receiptKindFor(row: RedemptionRow): ReceiptKind | null {
  switch (row.state) {
    case 'settled':
      return shortfallOf(row) > 0 ? 'partial' : 'sale';
    case 'queued':
      return 'queued';
    case 'voided':
      return 'void';
    default:
      return null;
  }
}

export function receiptDocument(row: RedemptionRow, kind: ReceiptKind, context: ReceiptContext): PrintDocument {
  const t = TEXT[context.language];
  const yuan = formatYuan;
  const blocks: Block[] = [{ kind: 'title', text: context.storeName || t.store }, { kind: 'center', text: t[kind], bold: true }];
  if (context.reprint) blocks.push({ kind: 'center', text: t.reprint });
  blocks.push(
    { kind: 'rule' },
    { kind: 'pair', label: t.terminal, value: row.terminal_id },
    { kind: 'pair', label: t.time, value: localDateTime(row.created_at) },
  );
  if (kind === 'void') blocks.push({ kind: 'pair', label: t.voidedAt, value: localDateTime(row.updated_at) });
  blocks.push({ kind: 'pair', label: t.cashier, value: row.cashier });
  if (row.card_title) blocks.push({ kind: 'pair', label: t.card, value: row.card_title });
  blocks.push({ kind: 'pair', label: t.code, value: maskCode(row.real_code ?? row.scanned_code) }, { kind: 'rule' });
  const voucher = row.sub_card_type === 'VOUCHER';
  switch (kind) {
    case 'sale':
      if (voucher) blocks.push({ kind: 'center', text: t.voucher, bold: true });
      else {
        blocks.push({ kind: 'pair', label: t.amount, value: yuan(row.amount_fen), bold: true });
        if (row.balance_after_fen !== null) blocks.push({ kind: 'pair', label: t.balance, value: yuan(row.balance_after_fen) });
      }
      break;
    case 'partial': {
      const shortfall = shortfallOf(row);
      blocks.push(
        { kind: 'pair', label: t.total, value: yuan(row.amount_fen + shortfall) },
        { kind: 'pair', label: t.paidByCard, value: yuan(row.amount_fen), bold: true },
        { kind: 'pair', label: t.toCollect, value: yuan(shortfall), bold: true },
      );
      if (row.balance_after_fen !== null) blocks.push({ kind: 'pair', label: t.balance, value: yuan(row.balance_after_fen) });
      blocks.push({ kind: 'text', text: t.partialNote });
      break;
    }
    case 'queued':
      blocks.push({ kind: 'notice', text: t.notDeducted }, { kind: 'pair', label: t.queuedAmount, value: yuan(row.amount_fen), bold: true }, { kind: 'text', text: t.queuedNote });
      break;
    case 'void':
      blocks.push({ kind: 'pair', label: t.refund, value: yuan(row.amount_fen), bold: true });
      if (row.balance_before_fen !== null) blocks.push({ kind: 'pair', label: t.balanceRestored, value: yuan(row.balance_before_fen) });
      blocks.push({ kind: 'text', text: t.voidNote });
      break;
  }
  blocks.push({ kind: 'rule' }, { kind: 'pair', label: t.transaction, value: row.id }, { kind: 'qr', data: row.id });
  if (context.reprint && context.printedAt !== undefined) blocks.push({ kind: 'pair', label: t.reprintedAt, value: localDateTime(context.printedAt) });
  blocks.push({ kind: 'center', text: t.thanks });
  return { blocks, paperWidth: context.paperWidth };
}
