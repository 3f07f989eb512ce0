/**
 * The cashier's screen as a store expects it (issue 13, items 3, 4 and 6), in Debian's Chromium
 * at 1024×768 against the real core and its embedded simulator: the PIN keeps focus across a
 * language switch; an unusable card takes no amount from the keyboard and its status is in
 * Chinese; an amount typed before the scan is kept; a short balance offers "take what is on the
 * card, collect the rest"; a scan cut short says so; the balance inquiry keeps a typed code; the
 * offline banner, its pending list and the notice when the queue is sent; the settings scan test
 * shows the full read. axe-core finds no serious violation on the redeem and settings screens.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_MERCHANT_ID } from '../../src-main/sim/index.ts';
import { launchChromium, type LaunchedBrowser } from '../helpers/browser.ts';
import { simAdmin as simClient } from '../helpers/sim.ts';
import { axeSerious, shot, signIn, until } from './desk.ts';
import { buildRendererForTest, createWedgeScanner, openApp, screenshot, simAdmin, startStack, type OpenedPage, type Stack } from './harness.ts';

let renderer: Awaited<ReturnType<typeof buildRendererForTest>>;
let stack: Stack;
let chromium: LaunchedBrowser;
let app: OpenedPage;
let page: Page;
let wedgeScan: (code: string) => Promise<void>;

const text = (testId: string) => () => page.getByTestId(testId).first().innerText().catch(() => '');
const outcome = () => page.getByTestId('result').getAttribute('data-outcome', { timeout: 10_000 });

async function giftCard(balanceFen: number): Promise<{ code: string; cardId: string }> {
  return (await simAdmin(stack.simUrl, 'POST', '/sim/cards', { balanceFen, merchantId: DEMO_MERCHANT_ID })) as { code: string; cardId: string };
}

async function simBalance(code: string): Promise<number> {
  const response = await fetch(`${stack.simUrl}/sim/codes/${code}`);
  return ((await response.json()) as { balanceFen: number }).balanceFen;
}

/** Typed by a person (slower than any scanner), until the page shows it. */
async function typeAmount(keys: string, shown: string): Promise<void> {
  await page.keyboard.type(keys, { delay: 120 });
  await until(text('amount'), (t) => t === shown, `the amount ${shown}`);
}

async function backToWaiting(): Promise<void> {
  await page.keyboard.press('Escape');
  await page.getByTestId('waiting').waitFor();
}

beforeAll(async () => {
  renderer = await buildRendererForTest();
  stack = await startStack(renderer.dir);
  chromium = await launchChromium(['--lang=zh-CN']);
  app = await openApp(chromium.browser, stack.server.url);
  page = app.page;
  wedgeScan = await createWedgeScanner(page);
}, 120_000);

afterEach(async (context) => {
  if (context.task.result?.state === 'fail' && page) {
    await screenshot(page, `failed-redeem-desk-${context.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 50)}`);
  }
});

afterAll(async () => {
  await app?.context.close();
  await chromium?.close();
  await stack?.close();
  renderer?.remove();
});

describe('the cashier screen (browser mode, real core, real simulator)', () => {
  it('keeps the PIN field focused across a language switch, so the next PIN typed signs in', async () => {
    await page.getByText('收银员登录').waitFor();
    await page.getByTestId('language-switch').click();
    await page.getByText('Cashier sign-in').waitFor();
    await until(() => page.evaluate<string>("document.activeElement?.id ?? ''"), (id) => id === 'signin-pin', 'the PIN field focused again');
    // Typed straight away, without touching the field.
    await page.keyboard.type('1234');
    await page.keyboard.press('Enter');
    await page.getByTestId('waiting').waitFor();
    await page.getByTestId('language-switch').click();
    await page.getByText('请扫描礼品卡').waitFor();
  });

  it('takes no amount for an unusable card from the keyboard, and names its status in Chinese', async () => {
    await wedgeScan('688000000005');
    await page.getByTestId('card-problems').waitFor();
    const panel = await text('card-panel')();
    expect(panel).toContain('已核销');
    expect(panel).toContain('礼品卡');
    expect(panel).not.toMatch(/CONSUMED|NORMAL|GIFT_CARD/);
    await page.keyboard.type('35', { delay: 120 });
    // The keys were taken (the keypad says why they do nothing) and typed nothing.
    await until(text('amount-error'), (t) => t.includes('此卡已核销'), 'the reason the amount is refused');
    expect(await text('amount')()).toBe('¥0.00');
    expect(await page.getByTestId('card-after').count()).toBe(0);
    expect(await page.getByTestId('confirm').isDisabled()).toBe(true);
    await backToWaiting();
  });

  it('keeps an amount typed before the card is scanned', async () => {
    const card = await giftCard(3_000);
    await page.keyboard.type('12', { delay: 120 });
    await until(text('typed-code'), (t) => t.includes('已输入金额 ¥12'), 'the typed amount waiting for the card');
    await wedgeScan(card.code);
    await until(text('card-balance'), (t) => t === '¥30.00', 'the card balance');
    expect(await text('amount')()).toBe('¥12');
    expect(await text('card-after')()).toBe('¥18.00');
    await page.keyboard.press('Enter');
    expect(await until(outcome, (o) => o !== null, 'the outcome')).toBe('approved');
    expect(await text('result-amount')()).toBe('¥12.00');
    expect(await simBalance(card.code)).toBe(1_800);
    await page.keyboard.press('Enter');
    await page.getByTestId('waiting').waitFor();
  });

  it('offers to take the balance and collect the rest when the card does not cover the amount', async () => {
    const card = await giftCard(1_000);
    await wedgeScan(card.code);
    await until(text('card-balance'), (t) => t === '¥10.00', 'the card balance');
    await typeAmount('25', '¥25');
    const offer = await until(text('short-offer'), (t) => t !== '', 'the short-balance offer');
    expect(offer).toContain('卡内余额 ¥10.00');
    expect(offer).toContain('从卡内扣 ¥10.00，其余 ¥15.00 另行收取');
    expect(await axeSerious(page)).toEqual([]);
    await shot(page, 'redeem-short-balance', 'short-balance');
    await page.getByTestId('short-offer-accept').click();
    expect(await until(outcome, (o) => o !== null, 'the outcome')).toBe('approved');
    expect(await text('result-amount')()).toBe('¥10.00');
    expect(await text('result-shortfall')()).toContain('¥15.00');
    expect(await simBalance(card.code)).toBe(0);
    // Journaled as a partial redemption: ¥10 from the card, ¥15 left to collect.
    const journal = await stack.core['journal:list']({ search: card.code });
    expect(journal.ok && journal.value.map((r) => [r.state, r.amountFen, r.shortfallFen])).toEqual([['settled', 1_000, 1_500]]);
    await page.keyboard.press('Enter');
    await page.getByTestId('waiting').waitFor();
  });

  it('lets a dynamic code refused before anything moved be presented again, and shows the balance it lacked', async () => {
    const card = (await simAdmin(stack.simUrl, 'POST', '/sim/cards', { balanceFen: 1_000, useDynamicCode: true, merchantId: DEMO_MERCHANT_ID })) as { code: string };
    const { dynamicCode } = (await simAdmin(stack.simUrl, 'POST', `/sim/codes/${card.code}/dynamic`)) as { dynamicCode: string };
    await wedgeScan(dynamicCode);
    await until(text('card-balance'), (t) => t === '¥10.00', 'the card balance');
    await typeAmount('20', '¥20');
    await page.keyboard.press('Enter');
    expect(await until(outcome, (o) => o !== null, 'the outcome')).toBe('declined');
    expect(await text('result-reason')()).toBe('余额不足');
    expect(await text('result-card-balance')()).toContain('¥10.00');
    await page.keyboard.press('Enter');
    await page.getByTestId('waiting').waitFor();
    // The customer shows the same code again: nothing was deducted, so it is not "already used".
    await wedgeScan(dynamicCode);
    await until(text('card-balance'), (t) => t === '¥10.00', 'the card again');
    await typeAmount('20', '¥20');
    await page.getByTestId('short-offer-accept').click();
    expect(await until(outcome, (o) => o !== null, 'the outcome')).toBe('approved');
    expect(await text('result-shortfall')()).toContain('¥10.00');
    expect(await simBalance(card.code)).toBe(0);
    await page.keyboard.press('Enter');
    await page.getByTestId('waiting').waitFor();
  });

  it('says a scan was cut short instead of "invalid code"', async () => {
    await wedgeScan('6880000012');
    const problem = await until(text('scan-problem'), (t) => t !== '', 'the scan problem');
    expect(problem).toContain('扫码不完整');
    expect(problem).toContain('只读到 10 位');
  });

  it('keeps a code typed while the balance inquiry is open', async () => {
    const card = await giftCard(4_200);
    await page.getByTestId('inquiry').click();
    await page.getByText('请扫描礼品卡以查询余额').waitFor();
    await page.keyboard.type(card.code, { delay: 90 });
    await until(text('typed-code'), (t) => t.includes(card.code), 'the typed code');
    await page.keyboard.press('Enter');
    await until(text('card-balance'), (t) => t === '¥42.00', 'the balance');
    await page.getByTestId('inquiry-done').click();
    await page.getByText('请扫描礼品卡').waitFor();
    expect(await simBalance(card.code)).toBe(4_200);
  });

  it('shows the offline banner with its queue, and a notice when the queue is sent', async () => {
    const card = await giftCard(20_000);
    await wedgeScan(card.code);
    await until(text('card-balance'), (t) => t === '¥200.00', 'the card balance');
    await backToWaiting();
    expect(await page.getByTestId('offline-banner').count()).toBe(0);
    await simAdmin(stack.simUrl, 'POST', '/sim/faults', { path: '*', kind: 'http500' });
    try {
      await wedgeScan(card.code);
      await until(() => page.getByTestId('card-panel').innerText(), (t) => t.includes('无法在线查询此卡'), 'the unverified card panel');
      await typeAmount('50', '¥50');
      await page.keyboard.press('Enter');
      expect(await until(outcome, (o) => o !== null, 'the outcome')).toBe('queued');
      await page.keyboard.press('Enter');
      await page.getByTestId('waiting').waitFor();
      const banner = await until(text('offline-banner'), (t) => t.includes('离线中'), 'the offline banner');
      expect(banner).toContain('待上传 1 笔，共 ¥50.00');
      expect(banner).toContain('离线额度 ¥50.00 / ¥2000.00');
      await page.getByTestId('offline-list-toggle').click();
      await until(text('offline-pending'), (t) => t.includes(card.code.slice(-4)) && t.includes('¥50.00'), 'the pending list');
      expect(await axeSerious(page)).toEqual([]);
      await shot(page, 'redeem-offline-banner', 'offline-banner');
    } finally {
      await simAdmin(stack.simUrl, 'DELETE', '/sim/faults');
    }
    const report = await stack.core['offline:replay']({});
    expect(report.ok && report.value.settled).toBe(1);
    await until(text('offline-notice'), (t) => t.includes('已上传：核销成功') && t.includes('¥50.00'), 'the settle notice');
    await until(() => page.getByTestId('offline-banner').count(), (n) => n === 0, 'the banner gone once online with an empty queue');
    expect(await simBalance(card.code)).toBe(15_000);
  });

  it('gives a review notice when a queued redemption no longer fits the card', async () => {
    const card = await giftCard(10_000);
    await wedgeScan(card.code);
    await until(text('card-balance'), (t) => t === '¥100.00', 'the card balance');
    await backToWaiting();
    await simAdmin(stack.simUrl, 'POST', '/sim/faults', { path: '*', kind: 'http500' });
    try {
      await wedgeScan(card.code);
      await until(() => page.getByTestId('card-panel').innerText(), (t) => t.includes('无法在线查询此卡'), 'the unverified card panel');
      await typeAmount('80', '¥80');
      await page.keyboard.press('Enter');
      expect(await until(outcome, (o) => o !== null, 'the outcome')).toBe('queued');
      await page.keyboard.press('Enter');
      await until(text('offline-banner'), (t) => t.includes('待上传 1 笔，共 ¥80.00'), 'the queue in the banner');
    } finally {
      await simAdmin(stack.simUrl, 'DELETE', '/sim/faults');
    }
    await simClient(stack.simUrl).setBalance(card.code, card.cardId, 5_000);
    const report = await stack.core['offline:replay']({});
    expect(report.ok && report.value.needsReview).toBe(1);
    await until(
      () => page.getByTestId('offline-notice').filter({ hasText: card.code.slice(-4) }).innerText().catch(() => ''),
      (t) => t.includes('已上传：待店长核对') && t.includes('¥80.00'),
      'the review notice',
    );
    expect(await simBalance(card.code)).toBe(5_000);
  });

  it('shows the full read in the settings scan test', async () => {
    await page.keyboard.press('F3');
    const pin = page.locator('dialog[open].manager-pin .pinpad-input');
    await pin.fill('9999');
    await pin.press('Enter');
    await page.getByTestId('settings-form').waitFor();
    await page.locator('body').click({ position: { x: 5, y: 700 } });
    await wedgeScan('688000000001');
    const read = await until(text('scan-test'), (t) => t.includes('688000000001'), 'the full code in the scan test');
    expect(read).toContain('12 位');
    expect(await axeSerious(page)).toEqual([]);
    await page.keyboard.press('F1');
    await page.getByTestId('waiting').waitFor();
    expect(app.problems).toEqual([]);
  });
});
