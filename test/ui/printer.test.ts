/**
 * The receipt printer in the real UI (Debian Chromium, browser mode, the sandbox): a printer out
 * of paper shows in the status bar while the redemption is approved; the manager sets the printer
 * up in Settings with a preview of the receipt and a test page that reaches the (virtual) printer.
 * With GCTERM_DOC_SCREENSHOTS=1, docs/screenshots/printer-settings.png is refreshed.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type LaunchedBrowser } from '../helpers/browser.ts';
import { until } from '../helpers/until.ts';
import { decodeEscPos } from '../printing/helpers/escpos-decode.ts';
import { hasCut, startTcpPrinter, type VirtualPrinter } from '../printing/helpers/virtual-printer.ts';
import { buildRendererForTest, openApp, screenshot, startStack, type Stack } from './harness.ts';

const DOCS = join(import.meta.dirname, '..', '..', 'docs', 'screenshots');
let renderer: Awaited<ReturnType<typeof buildRendererForTest>>;
let stack: Stack;
let chromium: LaunchedBrowser;
let page: Page;
let printer: VirtualPrinter & { url: string };

beforeAll(async () => {
  printer = await startTcpPrinter();
  printer.mood = 'paper_out';
  renderer = await buildRendererForTest();
  stack = await startStack(renderer.dir, { env: { GCTERM_PRINTER: printer.url } });
  chromium = await launchChromium(['--lang=zh-CN']);
  page = (await openApp(chromium.browser, stack.server.url)).page;
}, 120_000);

afterAll(async () => {
  await chromium?.close();
  await stack?.close();
  renderer?.remove();
  await printer?.close();
});

const printerState = () => page.getByTestId('printer-state').getAttribute('data-condition');

describe('the receipt printer at the counter', () => {
  it('out of paper: the status bar says so, the redemption is approved all the same', async () => {
    await page.locator('#signin-pin').fill('1234');
    await page.keyboard.press('Enter');
    await page.getByTestId('waiting').waitFor();
    await until(printerState, (c) => c === 'paper_out', 'the printer out of paper in the status bar');
    expect(await page.getByTestId('printer-state').innerText()).toContain('打印机 · 缺纸');
    const redeemed = await stack.core['redemption:submit']({ code: '688000000003', amount: '8.88' });
    expect(redeemed.ok && redeemed.value.state).toBe('settled');
    await until(printerState, (c) => c === 'paper_out', 'still out of paper after the receipt was refused');
    expect(hasCut(printer.received())).toBe(false);
  });

  it('the manager sets the printer up in Settings: preview, test page, auto-print', async () => {
    printer.mood = 'ok';
    await page.keyboard.press('F3');
    const pin = page.locator('dialog[open].manager-pin .pinpad-input');
    await pin.fill('9999');
    await pin.press('Enter');
    const fieldset = page.getByTestId('printer-settings');
    await fieldset.waitFor();
    expect(await fieldset.getByTestId('printer-url').inputValue()).toBe(printer.url);
    await fieldset.getByTestId('printer-store').fill('望京店');
    await fieldset.getByTestId('printer-width').selectOption('58');
    await fieldset.getByTestId('printer-save').click();
    await until(() => fieldset.getByTestId('printer-message').innerText(), (t) => t.includes('打印机设置已保存'), 'saved');
    // The preview is the 58 mm receipt with the new header.
    const preview = fieldset.getByTestId('printer-preview');
    await until(() => preview.getAttribute('src'), (src) => decodeURIComponent(src ?? '').includes('望'), 'the preview with the store name');
    await fieldset.getByTestId('printer-test').click();
    await until(() => fieldset.getByTestId('printer-message').innerText(), (t) => t.includes('测试小票已打印'), 'the test page printed');
    const paper = decodeEscPos(await printer.waitFor(hasCut));
    expect(paper.lines.map((l) => l.trim())).toContain('望京店');
    for (const line of paper.lines) expect(line.length).toBeLessThanOrEqual(32);
    await until(printerState, (c) => c === 'ok', 'the printer ready in the status bar');
    await fieldset.scrollIntoViewIfNeeded();
    const path = await screenshot(page, 'printer-settings');
    if (process.env.GCTERM_DOC_SCREENSHOTS === '1') {
      mkdirSync(DOCS, { recursive: true });
      copyFileSync(path, join(DOCS, 'printer-settings.png'));
    }
    // A bad address is refused in words, and nothing changes.
    await fieldset.getByTestId('printer-url').fill('lpt1');
    await fieldset.getByTestId('printer-save').click();
    await until(() => fieldset.getByTestId('printer-message').innerText(), (t) => t.includes('无法识别的打印机地址'), 'the address refused');
    const saved = await stack.core['printer:get']({ managerPin: '9999' });
    expect(saved.ok && saved.value.settings).toMatchObject({ url: printer.url, paperWidth: 58, storeName: '望京店' });
  });
});
