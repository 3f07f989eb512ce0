/**
 * The paper side of the counter through the core the UI calls: the printer's trouble in the
 * status bar (never in the redemption), the shift opened at sign-in and closed with its handover
 * report, the Z-report's running number, its reprint, its PDF (text read back from the file) and
 * its paper on the receipt printer.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CoreEvent, StatusView } from '../../shared/contract.ts';
import { openCore, type Core } from '../../src-main/core.ts';
import { localDate } from '../../src-main/journal/redemptions.ts';
import { DEMO_MERCHANT_ID } from '../../src-main/sim/index.ts';
import { startTestSim, type TestSim } from '../helpers/sim.ts';
import { tempDir, terminalEnv } from '../helpers/terminal.ts';
import { decodeEscPos } from './helpers/escpos-decode.ts';
import { pdfText } from './helpers/pdf-text.ts';
import { hasCut, startTcpPrinter, type VirtualPrinter } from './helpers/virtual-printer.ts';

let sim: TestSim;
beforeAll(async () => {
  sim = await startTestSim();
});
afterAll(async () => sim.close());

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(mood: VirtualPrinter['mood'] = 'ok'): Promise<{ core: Core; printer: VirtualPrinter & { url: string }; events: CoreEvent[] }> {
  const printer = await startTcpPrinter();
  printer.mood = mood;
  cleanups.push(() => printer.close());
  const dir = tempDir('gcterm-paper-');
  const core = await openCore({ dataDir: dir.path, env: terminalEnv(sim.url, dir.path, { GCTERM_PRINTER: printer.url }) });
  cleanups.push(() => dir.remove(), () => core.close());
  const events: CoreEvent[] = [];
  core.onEvent((event) => events.push(event));
  return { core, printer, events };
}

/** Polls the core's status until `test` holds (the printer answers on its own time). */
async function statusWhere(core: Core, test: (status: StatusView) => boolean, what: string): Promise<StatusView> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const status = await core['status:get']({});
    if (status.ok && test(status.value)) return status.value;
    if (Date.now() > deadline) throw new Error(`status never showed ${what}: ${JSON.stringify(status.ok && status.value.printer)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const card = (balanceFen: number) => sim.createCard({ balanceFen, merchantId: DEMO_MERCHANT_ID, title: '礼品卡' });

describe('printer trouble is shown, never felt by the redemption', () => {
  it('paper out answered by the printer: the redemption is settled and the status bar says paper out', async () => {
    const { core, printer, events } = await start('paper_out');
    await core['session:signIn']({ pin: '1234' });
    const { code } = await card(10_000);
    const result = await core['redemption:submit']({ code, amount: '25' });
    expect(result.ok && result.value).toMatchObject({ state: 'settled', amountFen: 2_500, balanceAfterFen: 7_500 });
    expect((await sim.code(code)).balanceFen).toBe(7_500);
    const status = await statusWhere(core, (s) => s.printer?.condition === 'paper_out', 'paper out');
    expect(status.printer).toMatchObject({ target: printer.url, kind: 'tcp', autoPrint: true });
    // The status bar heard it too (pushed, not only on request).
    expect(events.some((e) => e.type === 'status' && e.status.printer?.condition === 'paper_out')).toBe(true);
    // The receipt was attempted, refused by the printer's answer, and journaled as such.
    const id = result.ok ? result.value.id : '';
    await statusWhere(core, () => core.terminal.db.prepare("SELECT 1 FROM receipts WHERE redemption_id = ? AND outcome = 'paper_out'").get(id) !== undefined, 'the refused receipt');
    expect(hasCut(printer.received())).toBe(false);
    // Paper back: the manager's reprint from the journal goes out, and the status is ready again.
    printer.mood = 'ok';
    expect(await core['receipt:print']({ id })).toEqual({ ok: true, value: { printed: true, condition: 'ok' } });
    const reprinted = decodeEscPos(await printer.waitFor(hasCut));
    expect(reprinted.qr).toEqual([id]);
    await statusWhere(core, (s) => s.printer?.condition === 'ok', 'ready');
  });
});

describe('shifts and the Z-report', () => {
  it('a shift opens at sign-in and closes with the handover report, printed', async () => {
    const { core, printer } = await start();
    expect(await core['shift:current']({})).toEqual({ ok: false, error: { reason: 'signed_out' } });
    await core['session:signIn']({ pin: '1234' });
    const { code } = await card(5_000);
    await core['redemption:submit']({ code, amount: '12' });
    const settled = await core['redemption:submit']({ code, amount: '3.5' });
    const voided = await core['redemption:void']({ id: settled.ok ? settled.value.id : '', managerPin: '9999' });
    expect(voided.ok && voided.value.state).toBe('voided');
    const current = await core['shift:current']({});
    expect(current.ok && current.value).toMatchObject({ cashier: '收银员1', closedAt: null, tally: { count: 2, settled: { count: 1, amountFen: 1_200 }, voided: { count: 1, amountFen: 350 } } });
    await printer.waitFor((bytes) => decodeEscPos(bytes).cuts >= 3, 5_000, 'sale, sale and void receipts');
    printer.clear();
    const closed = await core['shift:close']({ print: true });
    expect(closed.ok && closed.value.shift).toMatchObject({ cashier: '收银员1', closedBy: '收银员1', tally: { count: 2 } });
    expect(closed.ok && closed.value.print).toMatchObject({ printed: true });
    const paper = decodeEscPos(printer.received());
    const trimmed = paper.lines.map((l) => l.trim());
    expect(trimmed).toContain('交班报表');
    expect(paper.lines.find((l) => l.startsWith('成功扣款'))).toMatch(/1 笔  ￥12\.00$/);
    expect(paper.lines.find((l) => l.startsWith('撤销'))).toMatch(/1 笔  ￥3\.50$/);
    // The handover ends the session.
    expect((await core['session:get']({})).ok && (await core['session:get']({}))).toMatchObject({ value: { signedIn: false } });
  });

  it('the Z-report: running number, reprint of the same day, totals by cashier and shift, PDF and paper', async () => {
    const { core, printer } = await start();
    await core['session:signIn']({ pin: '1234' });
    const { code } = await card(20_000);
    await core['redemption:submit']({ code, amount: '88.80' });
    const today = localDate(Date.now());
    expect(await core['zreport:take']({ date: today, managerPin: '1234' })).toMatchObject({ ok: false });
    const first = await core['zreport:take']({ date: today, managerPin: '9999', print: true });
    if (!first.ok) throw new Error(JSON.stringify(first.error));
    const report = first.value.report;
    expect(report).toMatchObject({ zNumber: 1, date: today, reprint: false, takenBy: '店长', total: { count: 1, settled: { count: 1, amountFen: 8_880 } } });
    expect(report.byCashier).toEqual([expect.objectContaining({ cashier: '收银员1' })]);
    expect(report.byShift).toHaveLength(1);
    expect(report.journalHead?.hash).toMatch(/^[0-9a-f]{64}$/);
    // The PDF: one A4 page whose text is the report, in Chinese (the CJK font is installed).
    const pdf = pdfText(Buffer.from(report.pdfBase64, 'base64'));
    expect(pdf.pages).toBe(1);
    expect(pdf.lines).toEqual(expect.arrayContaining(['Z 报表（日结）', 'Z0001', today, '收银员1', '成功扣款']));
    expect(report.pdfFilename).toBe(`gcterm-T01-Z0001-${today}.pdf`);
    // On paper too.
    const paper = decodeEscPos(await printer.waitFor((bytes) => decodeEscPos(bytes).lines.some((l) => l.startsWith('Z 号')), 5_000, 'the Z-report'));
    expect(paper.lines.find((l) => l.startsWith('Z 号'))).toMatch(/Z0001$/);
    // Asked again for the same day: the same report, marked as a reprint; another day: Z0002.
    const again = await core['zreport:take']({ date: today, managerPin: '9999' });
    expect(again.ok && again.value.report).toMatchObject({ zNumber: 1, reprint: true, takenAt: report.takenAt });
    const yesterday = localDate(Date.now() - 86_400_000);
    const next = await core['zreport:take']({ date: yesterday, managerPin: '9999' });
    expect(next.ok && next.value.report).toMatchObject({ zNumber: 2, reprint: false, total: { count: 0 } });
  });

  it('without a Chinese font the PDF is made in English and says why', async () => {
    const saved = process.env.GCTERM_CJK_FONT;
    process.env.GCTERM_CJK_FONT = '/nonexistent/font.ttc';
    cleanups.push(() => {
      if (saved === undefined) delete process.env.GCTERM_CJK_FONT;
      else process.env.GCTERM_CJK_FONT = saved;
    });
    const { core } = await start();
    const taken = await core['zreport:take']({ date: localDate(Date.now()), managerPin: '9999' });
    if (!taken.ok) throw new Error(JSON.stringify(taken.error));
    const pdf = pdfText(Buffer.from(taken.value.report.pdfBase64, 'base64'));
    expect(pdf.lines.join(' ')).toContain('No Chinese font on this computer');
    expect(pdf.lines).toEqual(expect.arrayContaining(['Z-REPORT (END OF DAY)', 'Z0001']));
    expect(pdf.lines.join('')).not.toMatch(/[\u4e00-\u9fff]/);
  });
});

describe('printer settings', () => {
  it('the manager changes the printer; a bad address is refused with the field named', async () => {
    const { core } = await start();
    expect(await core['printer:get']({ managerPin: '1234' })).toMatchObject({ ok: false });
    const bad = await core['printer:update']({ managerPin: '9999', patch: { url: 'lpt1' } });
    expect(bad).toEqual({ ok: false, error: { reason: 'invalid_request', params: { field: 'printer.url' } } });
    const good = await core['printer:update']({ managerPin: '9999', patch: { paperWidth: 58, storeName: '望京店', autoPrint: false } });
    expect(good.ok && good.value.settings).toMatchObject({ paperWidth: 58, storeName: '望京店', autoPrint: false });
    expect(good.ok && good.value.sampleSvg).toContain('<svg');
    const status = await core['status:get']({});
    expect(status.ok && status.value.printer?.autoPrint).toBe(false);
  });
});
