/**
 * The manager's desk (issue 13, item 5) in Debian's Chromium against the real core and its
 * embedded simulator: the review dialog in the cashier's language, badge and message agreeing,
 * fitting 1024×768 and 1280×800, keeping Tab inside and giving focus back; no message carried
 * into the next dialog; a refused void loses its button; totals and the chart follow the filters
 * and count the shortfall; an inverted hour range says so; "last digits" is a suffix search; a
 * card scanned on End of day finds its redemptions. axe-core on the screen and the dialog.
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
const rowCount = () => page.getByTestId('journal-row').count();
const activeInDialog = () => page.evaluate<boolean>("document.activeElement !== document.body && document.activeElement?.closest('dialog[open]') != null");

async function card(code: string, balanceFen: number): Promise<{ code: string; cardId: string }> {
  return (await simAdmin(stack.simUrl, 'POST', '/sim/cards', { code, balanceFen, merchantId: DEMO_MERCHANT_ID })) as { code: string; cardId: string };
}

async function redeem(code: string, amount: string): Promise<string> {
  const result = await stack.core['redemption:submit']({ code, amount });
  if (!result.ok) throw new Error(`redeem ${code}: ${result.error.reason}`);
  return result.value.state;
}

async function enterManagerPin(pin = '9999'): Promise<void> {
  const input = page.locator('dialog[open].manager-pin .pinpad-input');
  await input.fill(pin);
  await input.press('Enter');
  await page.locator('dialog.manager-pin').waitFor({ state: 'detached' });
}

/** The dialog's box lies inside the viewport, its close button included. */
async function fitsViewport(width: number, height: number): Promise<void> {
  await page.setViewportSize({ width, height });
  const dialog = await page.getByTestId('detail').boundingBox();
  const close = await page.getByTestId('detail-close').boundingBox();
  expect(dialog && close).toBeTruthy();
  if (!dialog || !close) return;
  expect(dialog.y).toBeGreaterThanOrEqual(0);
  expect(dialog.y + dialog.height).toBeLessThanOrEqual(height);
  expect(close.y + close.height).toBeLessThanOrEqual(height);
  expect(close.x + close.width).toBeLessThanOrEqual(width);
}

let reviewCode = '';
let movedCode = '';

beforeAll(async () => {
  renderer = await buildRendererForTest();
  stack = await startStack(renderer.dir);
  chromium = await launchChromium(['--lang=zh-CN']);
  app = await openApp(chromium.browser, stack.server.url);
  page = app.page;
  wedgeScan = await createWedgeScanner(page);
  await signIn(page);
  // The day: two cards whose codes end alike (…0001, …0101), one whose balance moved after a
  // redemption (its void is refused), and a queued redemption the card no longer covers.
  await card('777000000001', 10_000);
  await card('777000000101', 10_000);
  expect(await redeem('777000000001', '10')).toBe('settled');
  expect(await redeem('777000000101', '20')).toBe('settled');
  const moved = await card('777000000555', 10_000);
  movedCode = moved.code;
  expect(await redeem(moved.code, '5')).toBe('settled');
  await simClient(stack.simUrl).setBalance(moved.code, moved.cardId, 9_000);
  const short = await card('777000000777', 10_000);
  reviewCode = short.code;
  expect((await stack.core['card:lookup']({ code: short.code })).ok).toBe(true);
  await simAdmin(stack.simUrl, 'POST', '/sim/faults', { path: '*', kind: 'http500' });
  try {
    expect(await redeem(short.code, '80')).toBe('queued');
  } finally {
    await simAdmin(stack.simUrl, 'DELETE', '/sim/faults');
  }
  await simClient(stack.simUrl).setBalance(short.code, short.cardId, 5_000);
  const replay = await stack.core['offline:replay']({});
  expect(replay.ok && replay.value.needsReview).toBe(1);
}, 180_000);

afterEach(async (context) => {
  if (context.task.result?.state === 'fail' && page) {
    await screenshot(page, `failed-review-desk-${context.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 50)}`);
  }
});

afterAll(async () => {
  await app?.context.close();
  await chromium?.close();
  await stack?.close();
  renderer?.remove();
});

describe("the manager's desk (browser mode, real core, real simulator)", () => {
  it('shows the review in Chinese, fits the screen, keeps Tab inside and gives focus back', async () => {
    await page.keyboard.press('F2');
    await page.getByTestId('review-queue').waitFor();
    const opener = page.getByTestId('review-queue').getByRole('button').first();
    expect(await opener.innerText()).not.toMatch(/fen|replay|NORMAL/);
    await opener.click();
    await page.getByTestId('detail').waitFor();
    const known = await text('detail-known')();
    expect(known).toContain('离线交易上传时核对：卡状态 正常，卡内余额 ¥50.00，离线受理金额 ¥80.00');
    const dialogText = await text('detail')();
    expect(dialogText).not.toMatch(/\bfen\b|replay:|NORMAL|GIFT_CARD/);
    expect(await text('detail-state')()).toBe('待核对');
    await fitsViewport(1024, 768);
    expect(await axeSerious(page)).toEqual([]);
    await shot(page, 'review-dialog-1024', 'review-dialog');
    // Tab and Shift+Tab walk the dialog's controls and never leave it.
    for (let i = 0; i < 14; i++) {
      await page.keyboard.press(i % 5 === 4 ? 'Shift+Tab' : 'Tab');
      expect(await activeInDialog(), `Tab ${i + 1}`).toBe(true);
    }
    await page.keyboard.press('Escape');
    await page.getByTestId('detail').waitFor({ state: 'detached' });
    expect(await page.evaluate<boolean>("document.activeElement?.classList.contains('review-item') ?? false")).toBe(true);
    // At 1280×800 too.
    await opener.click();
    await page.getByTestId('detail').waitFor();
    await fitsViewport(1280, 800);
    await page.keyboard.press('Escape');
    await page.getByTestId('detail').waitFor({ state: 'detached' });
    await page.setViewportSize({ width: 1024, height: 768 });
  });

  it('settles what the card holds, says so in the words of its badge, and counts the shortfall in the totals', async () => {
    await page.getByTestId('review-queue').getByRole('button').first().click();
    await page.getByTestId('detail').waitFor();
    await page.locator('#review-note').fill('顾客补付现金');
    await page.getByTestId('review-settle_partial').click();
    await enterManagerPin();
    const message = await until(text('detail-message'), (t) => t.includes('已处理'), 'the outcome message');
    const badge = await text('detail-state')();
    expect(badge).toBe('成功');
    expect(message).toBe(`已处理：${badge}`);
    await until(text('detail-known'), (t) => t.includes('部分扣款：从卡内扣除 ¥50.00（原金额 ¥80.00），差额 ¥30.00 另行收取'), 'the partial in words');
    expect(await text('detail-known')()).toContain('顾客补付现金');
    await page.keyboard.press('Escape');
    await page.getByTestId('detail').waitFor({ state: 'detached' });
    await until(text('total-shortfall'), (t) => t.includes('¥30.00'), 'the shortfall in the totals');
    expect(await text('total-settled')()).toContain('¥85.00');
  });

  it('drops the void button of a refused void, and carries no message into the next dialog', async () => {
    const moved = page.getByTestId('journal-row').filter({ hasText: movedCode.slice(-4) });
    await moved.click();
    await page.getByTestId('detail').waitFor();
    await page.getByTestId('detail-void').click();
    await enterManagerPin();
    await until(text('detail-message'), (t) => t.includes('此卡在交易后已有变动'), 'the refusal');
    expect(await page.getByTestId('detail-void').count()).toBe(0);
    expect(await text('detail-state')()).toBe('成功');
    await page.keyboard.press('Escape');
    await page.getByTestId('detail').waitFor({ state: 'detached' });
    // Focus is back on the list: the arrow keys move through it again.
    expect(await page.evaluate<string | null>("document.activeElement?.getAttribute('data-testid') ?? null")).toBe('journal-list');
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.getByTestId('detail').waitFor();
    expect(await page.getByTestId('detail-message').count()).toBe(0);
    await page.keyboard.press('Escape');
    await page.getByTestId('detail').waitFor({ state: 'detached' });
  });

  it('totals and the chart follow the filters; an inverted hour range says so', async () => {
    await until(rowCount, (n) => n === 4, 'the four rows of the day');
    await page.getByTestId('filter-state').selectOption('settled');
    await until(text('totals-filtered'), (t) => t.includes('4 笔'), 'the totals of the filtered rows');
    expect(await page.locator('[data-testid^="total-"]').filter({ hasText: '待核对' }).count()).toBe(0);
    await page.getByTestId('filter-cashier').selectOption({ index: 1 });
    const hour = new Date().getHours();
    const hh = hour.toString().padStart(2, '0');
    await page.locator('.hour-table summary').click();
    await until(text('hour-table'), (t) => t.includes(`${hh}:00–${hh}:59`) && t.includes('¥85.00'), 'the hourly table');
    const other = (hour + 1) % 24;
    await page.getByTestId('filter-from').selectOption(String(other));
    await page.getByTestId('filter-to').selectOption(String(other));
    await until(rowCount, (n) => n === 0, 'no row outside the hour');
    await until(text('totals'), (t) => t.includes('没有交易'), 'empty totals for an empty filter');
    expect(await text('hour-table')()).not.toContain('¥85.00');
    if (other > 0) {
      await page.getByTestId('filter-to').selectOption(String(other - 1));
      await until(text('hour-range-inverted'), (t) => t.includes('开始') && t.includes('晚于结束'), 'the inverted-range message');
    }
    await page.getByTestId('filter-from').selectOption('0');
    await page.getByTestId('filter-to').selectOption('23');
    await page.getByTestId('filter-state').selectOption('');
    await page.getByTestId('filter-cashier').selectOption('');
    await until(rowCount, (n) => n === 4, 'all rows again');
    expect(await page.getByTestId('hour-range-inverted').count()).toBe(0);
    expect(await axeSerious(page)).toEqual([]);
    await shot(page, 'end-of-day-desk', 'end-of-day-desk');
  });

  it('searches the last digits as a suffix, and finds a scanned card', async () => {
    await page.getByTestId('filter-search').fill('0001');
    await until(rowCount, (n) => n === 1, 'the one code ending 0001');
    expect(await page.getByTestId('journal-row').innerText()).toContain('0001');
    await page.getByTestId('filter-search').fill('');
    await until(rowCount, (n) => n === 4, 'all rows');
    await page.getByTestId('journal-list').focus();
    await wedgeScan('777000000101');
    await until(text('scanned-search'), (t) => t.includes('•••• 0101'), 'the scanned card');
    await until(rowCount, (n) => n === 1, "the scanned card's redemption");
    expect(await page.getByTestId('journal-row').innerText()).toContain('0101');
    await page.getByTestId('scanned-search').getByRole('button').click();
    await until(rowCount, (n) => n === 4, 'all rows after clearing the scan');
    expect(reviewCode).not.toBe('');
  });

  it('says the same in English after a language switch, with no serious accessibility problem', async () => {
    await page.getByTestId('language-switch').click();
    await until(text('totals'), (t) => t.includes('Collected otherwise'), 'the English totals');
    await page.getByTestId('journal-row').filter({ hasText: reviewCode.slice(-4) }).click();
    await page.getByTestId('detail').waitFor();
    expect(await text('detail-state')()).toBe('Settled');
    const known = await text('detail-known')();
    expect(known).toContain('Partial: ¥50.00 taken from the card (of ¥80.00); ¥30.00 collected another way');
    expect(known).toContain('顾客补付现金');
    expect(await axeSerious(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await page.getByTestId('detail').waitFor({ state: 'detached' });
    await page.getByTestId('language-switch').click();
    await until(text('totals'), (t) => t.includes('另收差额'), 'back in Chinese');
    expect(app.problems).toEqual([]);
  });
});
