/**
 * The receipt preview and the Z-report as the UI and docs show them: the SVG drawn by Debian's
 * Chromium, with the same lines and QR code the printer gets. The QR code in the picture is read
 * back with the terminal's own barcode decoder. With GCTERM_DOC_SCREENSHOTS=1 the pictures go to
 * docs/screenshots/ (receipt.png, receipt-queued.png, z-report.png).
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction, openJournal, type Db } from '../../src-main/journal/db.ts';
import { insertRedemption, localDate, type NewRedemption } from '../../src-main/journal/redemptions.ts';
import { layout } from '../../src-main/printing/layout.ts';
import { receiptSvg } from '../../src-main/printing/preview.ts';
import { receiptDocument } from '../../src-main/printing/receipt.ts';
import { decodeImageFile } from '../../src-main/scanners/decode-image.ts';
import { zReportDocument } from '../../src-main/shifts/documents.ts';
import { closeShift, openShift, takeZReport } from '../../src-main/journal/shifts.ts';
import { launchChromium, type LaunchedBrowser } from '../helpers/browser.ts';
import { tempDir } from '../helpers/terminal.ts';

const DOCS = join(import.meta.dirname, '..', '..', 'docs', 'screenshots');
let browser: LaunchedBrowser;
let dir: ReturnType<typeof tempDir>;
let db: Db;

beforeAll(async () => {
  browser = await launchChromium();
  dir = tempDir('gcterm-preview-');
  db = openJournal(join(dir.path, 'journal.db'));
});
afterAll(async () => {
  db.close();
  await browser.close();
  dir.remove();
});

/** Draws the SVG in Chromium at twice the pixels and saves it as PNG; returns the path. */
async function draw(svg: string, name: string): Promise<string> {
  const page = await browser.browser.newPage({ deviceScaleFactor: 2, viewport: { width: 420, height: 1200 } });
  try {
    await page.setContent(`<!doctype html><body style="margin:0;background:#fff">${svg}</body>`);
    const path = join(dir.path, `${name}.png`);
    await page.locator('svg').screenshot({ path });
    // What a person reads: the picture's text content is the receipt's lines.
    const text = await page.locator('svg').textContent();
    writeFileSync(join(dir.path, `${name}.txt`), text ?? '');
    if (process.env.GCTERM_DOC_SCREENSHOTS === '1') {
      mkdirSync(DOCS, { recursive: true });
      copyFileSync(path, join(DOCS, `${name}.png`));
    }
    return path;
  } finally {
    await page.close();
  }
}

const row = (input: Partial<NewRedemption> & Pick<NewRedemption, 'id' | 'state' | 'amount_fen'>) =>
  inTransaction(db, () =>
    insertRedemption(db, {
      terminal_id: 'T01',
      cashier: '收银员1',
      scanned_code: '688000000001',
      real_code: '688000000001',
      code_kind: 'card_code',
      scanned_at: Date.now(),
      card_title: '礼品卡',
      sub_card_type: 'GIFT_CARD',
      ...input,
    } as NewRedemption),
  );

describe('receipt preview', () => {
  it('shows the receipt the printer prints, with a QR code that scans to the transaction', async () => {
    const sale = row({ id: 'a3f9c2d1-5b7e-4c21-9d0e-8f6a1b2c3d4e', state: 'settled', amount_fen: 3_550, balance_before_fen: 50_000, balance_after_fen: 46_450 });
    const document = receiptDocument(sale, 'sale', { storeName: '望京店', terminalId: 'T01', language: 'zh-CN', paperWidth: 58 });
    const svg = receiptSvg(document);
    const png = await draw(svg, 'receipt');
    // Every text line of the paper is in the picture, character for character.
    const lines = layout(document).flatMap((l) => (l.kind === 'text' ? [l.text.replace(/\s+/g, '')] : []));
    const text = readFileSync(png.replace(/\.png$/, '.txt'), 'utf8');
    for (const line of lines) expect(text).toContain(line);
    expect(text).toContain('￥35.50');
    expect(text).toContain('￥464.50');
    const decoded = await decodeImageFile(png);
    expect(decoded.ok && decoded.code.text).toBe(sale.id);
  });

  it('a queued receipt says "not yet deducted" in reverse', async () => {
    const queued = row({ id: 'b1c2d3e4-0000-4000-8000-000000000001', state: 'queued', amount_fen: 9_900, offline: 1 });
    const svg = receiptSvg(receiptDocument(queued, 'queued', { storeName: '望京店', terminalId: 'T01', language: 'zh-CN', paperWidth: 58 }));
    expect(svg).toMatch(/<rect [^>]*fill="#000"\/>\s*<text[^>]*fill="#fff"/);
    const text = readFileSync((await draw(svg, 'receipt-queued')).replace(/\.png$/, '.txt'), 'utf8');
    expect(text).toContain('尚未扣款');
    expect(text).not.toContain('卡内余额');
  });
});

describe('Z-report picture', () => {
  it('shows the Z number, totals by cashier and shift, and the journal head', async () => {
    openShift(db, 'T01', '收银员2', Date.now() - 3_600_000);
    row({ id: 'c0000000-0000-4000-8000-000000000002', state: 'settled', amount_fen: 12_000, cashier: '收银员2', balance_after_fen: 8_000 });
    row({ id: 'c0000000-0000-4000-8000-000000000003', state: 'voided', amount_fen: 2_000, cashier: '收银员2', balance_before_fen: 10_000 });
    closeShift(db, 'T01', '收银员2', '店长');
    const { report } = takeZReport(db, 'T01', localDate(Date.now()), '店长');
    const svg = receiptSvg(zReportDocument(report, 'zh-CN', 80, '望京店'));
    const text = readFileSync((await draw(svg, 'z-report')).replace(/\.png$/, '.txt'), 'utf8');
    expect(text).toContain('Z0001');
    expect(text).toContain('收银员2');
    expect(text).toContain(`#${report.journalHead?.seq}`);
  });
});
