/**
 * A serial barcode scanner at the counter, end to end: a real pseudo-terminal pair (socat) stands
 * in for the cable, the core's scanner hub reads it as `gcterm serve` does, the status bar shows
 * the scanner connected, and a code sent down the "cable" opens the card on the Redeem screen.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_MERCHANT_ID } from '../../src-main/sim/index.ts';
import { launchChromium, type LaunchedBrowser } from '../helpers/browser.ts';
import { openPtyPair, type PtyPair } from '../scanners/helpers/socat.ts';
import { buildRendererForTest, openApp, screenshot, simAdmin, startStack, type OpenedPage, type Stack } from './harness.ts';

let renderer: Awaited<ReturnType<typeof buildRendererForTest>>;
let pty: PtyPair;
let stack: Stack;
let chromium: LaunchedBrowser;
let app: OpenedPage;

beforeAll(async () => {
  renderer = await buildRendererForTest();
  pty = await openPtyPair();
  stack = await startStack(renderer.dir, {
    settings: { scanners: { serial: { enabled: true, path: pty.appSide, framing: 'cr', reconnectIntervalMs: 200 } } },
    hardwareScanners: true,
  });
  chromium = await launchChromium();
  app = await openApp(chromium.browser, stack.server.url);
}, 120_000);

afterAll(async () => {
  await app?.context.close();
  await chromium?.close();
  await stack?.close();
  await pty?.close();
  renderer?.remove();
});

describe('a serial scanner in browser mode', () => {
  it('shows as connected and opens the scanned card on the Redeem screen', async () => {
    const page = app.page;
    await page.locator('#signin-pin').fill('1234');
    await page.keyboard.press('Enter');
    await page.getByTestId('waiting').waitFor();
    await page.locator('[data-testid="scanner-state"] .scanner.live', { hasText: pty.appSide }).waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('waiting').innerText()).toContain(pty.appSide);

    const card = (await simAdmin(stack.simUrl, 'POST', '/sim/cards', { balanceFen: 4_200, merchantId: DEMO_MERCHANT_ID })) as { code: string };
    await pty.write(`${card.code}\r`);
    await page.getByTestId('card-balance').getByText('¥42.00').waitFor({ timeout: 10_000 });
    await screenshot(page, 'serial-scan');
    await page.keyboard.type('2', { delay: 120 });
    await page.locator('[data-testid="amount"]', { hasText: /^¥2$/ }).waitFor();
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="result"][data-outcome="approved"]').waitFor();
    expect(await page.getByTestId('result-balance').innerText()).toContain('¥40.00');
    expect(app.problems).toEqual([]);
  });
});
