/** The shift handover report and the Z-report as printable documents (receipt printer and PDF). */
import type { RedemptionState } from '../../shared/contract.ts';
import type { Language } from '../../shared/i18n/reasons.ts';
import { formatYuan } from '../../shared/money.ts';
import { localDateTime } from '../journal/export.ts';
import type { Block, PaperWidth, PrintDocument } from '../printing/layout.ts';
import type { ShiftReport, Tally, ZReport } from '../journal/shifts.ts';

const TEXT = {
  'zh-CN': {
    handover: '交班报表',
    zReport: 'Z 报表（日结）',
    reprint: '*** 重印 ***',
    zNumber: 'Z 号',
    date: '营业日',
    terminal: '终端',
    cashier: '收银员',
    opened: '开班',
    closed: '交班',
    closedBy: '交班人',
    stillOpen: '未交班',
    takenAt: '生成时间',
    takenBy: '操作人',
    count: '笔数',
    settled: '成功扣款',
    voided: '撤销',
    offline: '离线受理',
    queued: '仍待上传',
    shortfall: '差额另收',
    needsReview: '待人工核对',
    byState: '按状态',
    byCashier: '按收银员',
    byShift: '按班次',
    shift: '班次',
    head: '日志末条',
    noHead: '（日志为空）',
    total: '合计',
    nothing: '无交易',
    signature: '签字：',
  },
  en: {
    handover: 'SHIFT HANDOVER',
    zReport: 'Z-REPORT (END OF DAY)',
    reprint: '*** REPRINT ***',
    zNumber: 'Z number',
    date: 'Business day',
    terminal: 'Terminal',
    cashier: 'Cashier',
    opened: 'Opened',
    closed: 'Closed',
    closedBy: 'Closed by',
    stillOpen: 'still open',
    takenAt: 'Taken at',
    takenBy: 'Taken by',
    count: 'Redemptions',
    settled: 'Settled',
    voided: 'Voided',
    offline: 'Accepted offline',
    queued: 'Still queued',
    shortfall: 'Collected otherwise',
    needsReview: 'Needs review',
    byState: 'By state',
    byCashier: 'By cashier',
    byShift: 'By shift',
    shift: 'Shift',
    head: 'Journal head',
    noHead: '(empty journal)',
    total: 'Total',
    nothing: 'No redemptions',
    signature: 'Signature:',
  },
} as const;

const STATE_TEXT: Readonly<Record<Language, Readonly<Record<RedemptionState, string>>>> = {
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
    pending: 'processing',
    queued: 'queued offline',
    deducting: 'being checked',
    consuming: 'retiring the card',
    voiding: 'voiding',
    settled: 'settled',
    declined: 'declined',
    needs_review: 'needs review',
    voided: 'voided',
    written_off: 'written off',
    collected_other: 'collected another way',
  },
};

const countFen = (language: Language, entry: { count: number; amountFen: number }) =>
  language === 'zh-CN' ? `${entry.count} 笔  ${formatYuan(entry.amountFen)}` : `${entry.count} × ${formatYuan(entry.amountFen)}`;

function tallyBlocks(t: (typeof TEXT)[Language], language: Language, tally: Tally, withStates: boolean): Block[] {
  const blocks: Block[] = [
    { kind: 'pair', label: t.count, value: String(tally.count) },
    { kind: 'pair', label: t.settled, value: countFen(language, tally.settled), bold: true },
    { kind: 'pair', label: t.voided, value: countFen(language, tally.voided) },
    { kind: 'pair', label: t.offline, value: countFen(language, tally.offline) },
    { kind: 'pair', label: t.queued, value: countFen(language, tally.queued) },
    { kind: 'pair', label: t.shortfall, value: countFen(language, tally.shortfall) },
    { kind: 'pair', label: t.needsReview, value: String(tally.needsReview) },
  ];
  if (withStates && tally.count > 0) {
    blocks.push({ kind: 'text', text: `${t.byState}:` });
    for (const [state, entry] of Object.entries(tally.byState)) {
      if (entry) blocks.push({ kind: 'pair', label: `  ${STATE_TEXT[language][state as RedemptionState]}`, value: countFen(language, entry) });
    }
  }
  return blocks;
}

export function shiftDocument(report: ShiftReport, language: Language, paperWidth: PaperWidth, storeName: string): PrintDocument {
  const t = TEXT[language];
  const { shift } = report;
  const blocks: Block[] = [
    { kind: 'title', text: storeName || (language === 'zh-CN' ? '礼品卡收银' : 'Gift card counter') },
    { kind: 'center', text: t.handover, bold: true },
    { kind: 'rule' },
    { kind: 'pair', label: t.shift, value: `#${shift.id}` },
    { kind: 'pair', label: t.terminal, value: shift.terminal_id },
    { kind: 'pair', label: t.cashier, value: shift.cashier },
    { kind: 'pair', label: t.opened, value: localDateTime(shift.opened_at) },
    { kind: 'pair', label: t.closed, value: shift.closed_at === null ? t.stillOpen : localDateTime(shift.closed_at) },
  ];
  if (shift.closed_by) blocks.push({ kind: 'pair', label: t.closedBy, value: shift.closed_by });
  blocks.push({ kind: 'rule' }, ...tallyBlocks(t, language, report.tally, true), { kind: 'rule' }, { kind: 'text', text: t.signature }, { kind: 'text', text: ' ' });
  return { blocks, paperWidth };
}

export function zReportDocument(report: ZReport, language: Language, paperWidth: PaperWidth, storeName: string, reprint = false): PrintDocument {
  const t = TEXT[language];
  const blocks: Block[] = [
    { kind: 'title', text: storeName || (language === 'zh-CN' ? '礼品卡收银' : 'Gift card counter') },
    { kind: 'center', text: t.zReport, bold: true },
  ];
  if (reprint) blocks.push({ kind: 'center', text: t.reprint });
  blocks.push(
    { kind: 'rule' },
    { kind: 'pair', label: t.zNumber, value: `Z${String(report.zNumber).padStart(4, '0')}`, bold: true },
    { kind: 'pair', label: t.date, value: report.date },
    { kind: 'pair', label: t.terminal, value: report.terminalId },
    { kind: 'pair', label: t.takenAt, value: localDateTime(report.takenAt) },
    { kind: 'pair', label: t.takenBy, value: report.takenBy },
    { kind: 'rule' },
    { kind: 'center', text: t.total, bold: true },
    ...tallyBlocks(t, language, report.total, true),
    { kind: 'rule' },
    { kind: 'center', text: t.byCashier, bold: true },
  );
  if (report.byCashier.length === 0) blocks.push({ kind: 'center', text: t.nothing });
  for (const { cashier, tally } of report.byCashier) {
    blocks.push(
      { kind: 'pair', label: cashier, value: countFen(language, tally.settled), bold: true },
      { kind: 'pair', label: `  ${t.voided}`, value: countFen(language, tally.voided) },
      { kind: 'pair', label: `  ${t.offline}`, value: countFen(language, tally.offline) },
      { kind: 'pair', label: `  ${t.shortfall}`, value: countFen(language, tally.shortfall) },
    );
  }
  blocks.push({ kind: 'rule' }, { kind: 'center', text: t.byShift, bold: true });
  if (report.byShift.length === 0) blocks.push({ kind: 'center', text: t.nothing });
  for (const shift of report.byShift) {
    const time = (ms: number | null) => (ms === null ? t.stillOpen : localDateTime(ms).slice(11, 16));
    blocks.push(
      { kind: 'pair', label: `${t.shift} #${shift.id} ${shift.cashier}`, value: `${time(shift.openedAt)}–${time(shift.closedAt)}` },
      { kind: 'pair', label: `  ${t.settled}`, value: countFen(language, shift.tally.settled) },
    );
  }
  blocks.push(
    { kind: 'rule' },
    { kind: 'text', text: `${t.head}: ${report.journalHead ? `#${report.journalHead.seq} ${report.journalHead.hash.slice(0, 16)}` : t.noHead}` },
    { kind: 'text', text: t.signature },
    { kind: 'text', text: ' ' },
  );
  return { blocks, paperWidth };
}
