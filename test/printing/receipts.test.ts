/**
 * Receipts on a virtual ESC/POS printer: a real TCP listener (a network printer's port 9100) and
 * the far end of a real pseudo-terminal pair (a serial printer) capture the bytes; the test reads
 * them back as a printer would (GB18030 in Chinese mode) and checks the lines, the QR payload and
 * the cut. A printer out of paper, answering garbage or unreachable never affects the redemption.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction, stmt } from '../../src-main/journal/db.ts';
import { insertRedemption, type NewRedemption } from '../../src-main/journal/redemptions.ts';
import { createPrinterService, type PrinterService } from '../../src-main/printing/service.ts';
import { DEFAULT_PRINTER_SETTINGS, type PrinterSettings } from '../../src-main/printing/settings.ts';
import { textWidth } from '../../src-main/printing/layout.ts';
import { DEMO_MERCHANT_ID } from '../../src-main/sim/index.ts';
import type { Terminal } from '../../src-main/terminal.ts';
import { startTestSim, type TestSim } from '../helpers/sim.ts';
import { openTestTerminal, tempDir } from '../helpers/terminal.ts';
import { openPtyPair } from '../scanners/helpers/socat.ts';
import { decodeEscPos } from './helpers/escpos-decode.ts';
import { hasCut, startSerialPrinter, startTcpPrinter, type VirtualPrinter } from './helpers/virtual-printer.ts';

let sim: TestSim;
beforeAll(async () => {
  sim = await startTestSim();
});
afterAll(async () => {
  await sim.close();
});

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type Setup = { terminal: Terminal; printer: PrinterService; settings: { printer: PrinterSettings; terminalId: string; language: 'zh-CN' | 'en' } };

async function setup(url: string, printer: Partial<PrinterSettings> = {}, language: 'zh-CN' | 'en' = 'zh-CN'): Promise<Setup> {
  const dir = tempDir('gcterm-print-');
  const terminal = await openTestTerminal(sim.url, dir.path);
  cleanups.push(() => dir.remove(), () => terminal.close());
  const settings = { printer: { ...DEFAULT_PRINTER_SETTINGS, storeName: '望京店', ...printer, url }, terminalId: 'T01', language };
  const service = createPrinterService({ db: terminal.db, settings: () => settings, send: { statusTimeoutMs: 400, connectTimeoutMs: 1_000 } });
  cleanups.push(() => service.idle());
  terminal.engine.onChange((row) => service.onRedemption(row));
  return { terminal, printer: service, settings };
}

async function tcpPrinter(): Promise<VirtualPrinter & { url: string }> {
  const printer = await startTcpPrinter();
  cleanups.push(() => printer.close());
  return printer;
}

const card = (balanceFen: number) => sim.createCard({ balanceFen, merchantId: DEMO_MERCHANT_ID, title: '礼品卡' });

/** The outcome the journal recorded for a redemption's receipt, once there is one. */
async function receiptOutcome(terminal: Terminal, id: string): Promise<string> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const row = stmt(terminal.db, 'SELECT outcome FROM receipts WHERE redemption_id = ? ORDER BY id DESC LIMIT 1').get(id) as { outcome: string } | undefined;
    if (row) return row.outcome;
    if (Date.now() > deadline) throw new Error(`no receipt recorded for ${id}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function insert(terminal: Terminal, row: Partial<NewRedemption> & { id: string; state: NewRedemption['state']; shortfall_fen?: number }) {
  return inTransaction(terminal.db, () =>
    insertRedemption(terminal.db, {
      terminal_id: 'T01',
      cashier: '收银员1',
      scanned_code: '688000000123',
      real_code: '688000000123',
      code_kind: 'card_code',
      scanned_at: Date.now(),
      card_title: '礼品卡',
      sub_card_type: 'GIFT_CARD',
      amount_fen: 900,
      ...row,
    } as NewRedemption),
  );
}

const line = (lines: readonly string[], label: string) => lines.find((l) => l.startsWith(label)) ?? '';

describe('customer receipt on a network printer (tcp://…:9100)', () => {
  it('prints after a settled redemption: Chinese lines in GB18030, the QR of the transaction, a cut', async () => {
    const printer = await tcpPrinter();
    const { terminal } = await setup(printer.url, { paperWidth: 80 });
    const { code } = await card(50_000);
    const result = await terminal.engine.redeem({ code, amount: '35.50', cashier: '收银员1' });
    expect(result.ok && result.value.state).toBe('settled');
    const id = result.ok ? result.value.id : '';
    const bytes = await printer.waitFor(hasCut, 5_000, 'a cut receipt');
    const receipt = decodeEscPos(bytes);
    expect(receipt.statusQueries).toEqual([1, 2, 4]);
    expect(receipt.chineseMode).toBe(true);
    expect(receipt.lines.map((l) => l.trim())).toEqual(expect.arrayContaining(['望京店', '礼品卡消费凭证']));
    expect(line(receipt.lines, '消费金额')).toMatch(/￥35\.50$/);
    expect(line(receipt.lines, '卡内余额')).toMatch(/￥464\.50$/);
    expect(line(receipt.lines, '收银员')).toMatch(/收银员1$/);
    expect(line(receipt.lines, '终端')).toMatch(/T01$/);
    expect(line(receipt.lines, '卡号')).toMatch(new RegExp(`\\*\\*\\*\\* ${code.slice(-4)}$`));
    expect(receipt.lines.join('\n')).not.toContain(code);
    expect(line(receipt.lines, '交易号')).toContain(id);
    expect(receipt.qr).toEqual([id]);
    expect(receipt.cuts).toBe(1);
    // 80 mm: 48 columns, a Chinese character counting two.
    for (const l of receipt.lines) expect(textWidth(l)).toBeLessThanOrEqual(48);
    expect(await receiptOutcome(terminal, id)).toBe('printed');
  });

  it('paper out: the redemption is settled all the same, nothing is printed, the printer says why', async () => {
    const printer = await tcpPrinter();
    printer.mood = 'paper_out';
    const states: string[] = [];
    const { terminal, printer: service } = await setup(printer.url);
    const { code } = await card(10_000);
    const result = await terminal.engine.redeem({ code, amount: '20', cashier: '收银员1' });
    expect(result.ok && result.value.state).toBe('settled');
    const id = result.ok ? result.value.id : '';
    expect(await receiptOutcome(terminal, id)).toBe('paper_out');
    states.push(service.state().condition ?? '');
    expect(states).toEqual(['paper_out']);
    // Only the status query went out: no receipt, no cut.
    expect(hasCut(printer.received())).toBe(false);
    expect(decodeEscPos(printer.received()).statusQueries).toEqual([1, 2, 4]);
    expect((await sim.code(code)).balanceFen).toBe(8_000);
    // Paper back in: the manager reprints from the journal.
    printer.mood = 'ok';
    printer.clear();
    const again = await service.printRedemption(id, { reprint: true });
    expect(again).toMatchObject({ printed: true, condition: 'ok' });
    const reprint = decodeEscPos(await printer.waitFor(hasCut));
    expect(reprint.lines.map((l) => l.trim())).toContain('*** 重印 ***');
    expect(reprint.qr).toEqual([id]);
    expect(service.state().condition).toBe('ok');
  });

  it('a device answering garbage gets no receipt and shows as such; a silent printer still gets it', async () => {
    const printer = await tcpPrinter();
    printer.mood = 'garbage';
    const { terminal, printer: service } = await setup(printer.url);
    const row = insert(terminal, { id: 'garbage-1', state: 'settled', balance_after_fen: 100 });
    expect(await service.printRedemption(row.id)).toMatchObject({ printed: false, condition: 'garbage' });
    expect(hasCut(printer.received())).toBe(false);
    printer.mood = 'silent';
    expect(await service.printRedemption(row.id)).toMatchObject({ printed: true, condition: 'no_answer' });
    expect(decodeEscPos(printer.received()).qr).toEqual([row.id]);
  });

  it('a printer that is not there: unreachable, and the redemption is settled', async () => {
    const closed = await tcpPrinter();
    const url = closed.url;
    await closed.close();
    const { terminal, printer: service } = await setup(url);
    const { code } = await card(5_000);
    const result = await terminal.engine.redeem({ code, amount: '10', cashier: '收银员1' });
    expect(result.ok && result.value.state).toBe('settled');
    expect(await receiptOutcome(terminal, result.ok ? result.value.id : '')).toBe('unreachable');
    expect(service.state()).toMatchObject({ condition: 'unreachable', target: url });
  });
});

describe('distinct receipts', () => {
  it('queued offline: "not yet deducted" reversed, no balance; void: refunded and restored; partial: the amount left to collect', async () => {
    const printer = await tcpPrinter();
    const { terminal, printer: service } = await setup(printer.url, { autoPrint: false });
    const queued = insert(terminal, { id: 'queued-1', state: 'queued', offline: 1 });
    const voided = insert(terminal, { id: 'void-1', state: 'voided', amount_fen: 1_200, balance_before_fen: 5_000, balance_after_fen: 3_800 });
    const partial = insert(terminal, { id: 'partial-1', state: 'settled', amount_fen: 400, balance_before_fen: 400, balance_after_fen: 0, shortfall_fen: 500 });

    await service.printRedemption(queued.id);
    const q = decodeEscPos(printer.received());
    expect(q.lines.map((l) => l.trim())).toContain('离线受理凭证');
    expect(q.inverse).toEqual(['尚未扣款']);
    expect(line(q.lines, '受理金额')).toMatch(/￥9\.00$/);
    expect(line(q.lines, '卡内余额')).toBe('');
    expect(q.qr).toEqual(['queued-1']);

    printer.clear();
    await service.printRedemption(voided.id);
    const v = decodeEscPos(printer.received());
    expect(v.lines.map((l) => l.trim())).toContain('礼品卡撤销凭证');
    expect(line(v.lines, '退回金额')).toMatch(/￥12\.00$/);
    expect(line(v.lines, '恢复后余额')).toMatch(/￥50\.00$/);
    expect(line(v.lines, '撤销时间')).not.toBe('');

    printer.clear();
    await service.printRedemption(partial.id);
    const p = decodeEscPos(printer.received());
    expect(p.lines.map((l) => l.trim())).toContain('礼品卡部分支付凭证');
    expect(line(p.lines, '应付金额')).toMatch(/￥9\.00$/);
    expect(line(p.lines, '礼品卡支付')).toMatch(/￥4\.00$/);
    expect(line(p.lines, '尚需另行收取')).toMatch(/￥5\.00$/);
    expect(p.bold.some((l) => l.startsWith('尚需另行收取'))).toBe(true);
    // Auto-print off: nothing was printed for these rows by itself.
    const auto = stmt(terminal.db, 'SELECT count(*) AS n FROM receipts WHERE reprint = 0').get() as { n: number };
    expect(auto.n).toBe(3);
  });

  it('in English on 58 mm paper: 32 columns', async () => {
    const printer = await tcpPrinter();
    const { terminal, printer: service } = await setup(printer.url, { paperWidth: 58, storeName: '' }, 'en');
    const row = insert(terminal, { id: 'en-58-1', state: 'settled', amount_fen: 3_550, balance_after_fen: 46_450 });
    await service.printRedemption(row.id);
    const r = decodeEscPos(printer.received());
    // The double-width title has 16 columns on 58 mm: it wraps between words.
    expect(r.lines.map((l) => l.trim())).toEqual(expect.arrayContaining(['Gift card', 'counter', 'GIFT CARD RECEIPT']));
    expect(line(r.lines, 'Amount')).toMatch(/￥35\.50$/);
    expect(line(r.lines, 'Balance left')).toMatch(/￥464\.50$/);
    for (const l of r.lines) expect(textWidth(l)).toBeLessThanOrEqual(32);
  });

  it('auto-print follows the setting: off prints nothing after a redemption', async () => {
    const printer = await tcpPrinter();
    const { terminal, settings } = await setup(printer.url, { autoPrint: false });
    const { code } = await card(5_000);
    const first = await terminal.engine.redeem({ code, amount: '1', cashier: '收银员1' });
    expect(first.ok && first.value.state).toBe('settled');
    settings.printer.autoPrint = true;
    const second = await terminal.engine.redeem({ code, amount: '2', cashier: '收银员1' });
    const id = second.ok ? second.value.id : '';
    expect(await receiptOutcome(terminal, id)).toBe('printed');
    const r = decodeEscPos(printer.received());
    expect(r.qr).toEqual([id]);
  });
});

describe('other transports', () => {
  it('a serial printer on a real pseudo-terminal (serial:…?baud=9600)', async () => {
    const pty = await openPtyPair();
    cleanups.push(() => pty.close());
    const printer = await startSerialPrinter(pty.scannerSide);
    cleanups.push(() => printer.close());
    const { terminal, printer: service } = await setup(`serial:${pty.appSide}?baud=9600`);
    const row = insert(terminal, { id: 'serial-1', state: 'settled', amount_fen: 1_000, balance_after_fen: 2_000 });
    expect(await service.printRedemption(row.id)).toMatchObject({ printed: true, condition: 'ok' });
    const r = decodeEscPos(await printer.waitFor(hasCut));
    expect(line(r.lines, '消费金额')).toMatch(/￥10\.00$/);
    expect(r.qr).toEqual(['serial-1']);
    printer.mood = 'cover_open';
    expect(await service.printRedemption(row.id)).toMatchObject({ printed: false, condition: 'cover_open' });
  });

  it('a USB printer exposed as a device file (file:/dev/usb/lp0 style) gets the bytes appended', async () => {
    const dir = tempDir('gcterm-lp-');
    cleanups.push(() => dir.remove());
    const device = join(dir.path, 'lp0');
    writeFileSync(device, '');
    const { terminal, printer: service } = await setup(`file:${device}`);
    const row = insert(terminal, { id: 'file-1', state: 'settled', amount_fen: 700, balance_after_fen: 300 });
    expect(await service.printRedemption(row.id)).toMatchObject({ printed: true });
    const r = decodeEscPos(readFileSync(device));
    expect(r.qr).toEqual(['file-1']);
    expect(r.cuts).toBe(1);
  });
});
