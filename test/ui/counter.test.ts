/**
 * The counter, end to end: Debian's Chromium at 1024×768 drives the built renderer in browser
 * mode against the real core and its real (embedded, SANDBOX) WeChat simulator. One cashier's
 * day, in order: sign in, redeem from a keyboard-wedge scan, a void guarded by the manager PIN,
 * a decline with its reason, a balance inquiry, an offline redemption queued then settled, the
 * end-of-day review with its CSV and Z-report, settings behind the manager PIN, and a language
 * switch. Screenshots of each screen go to test-artifacts/screens/ (and, with
 * GCTERM_DOC_SCREENSHOTS=1, the ones the docs show to docs/screenshots/).
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { formatFen } from '../../shared/money.ts';
import { DEMO_MERCHANT_ID } from '../../src-main/sim/index.ts';
import { simAdmin as simClient } from '../helpers/sim.ts';
import { blur, giftCard as cardImage, noise, renderCode, scene, y4m } from '../scanners/helpers/images.ts';
import { launchChromium, type LaunchedBrowser } from '../helpers/browser.ts';
import { until } from '../helpers/until.ts';
import { ARTIFACTS, buildRendererForTest, createWedgeScanner, openApp, screenshot, simAdmin, startStack, type OpenedPage, type Stack } from './harness.ts';

let renderer: Awaited<ReturnType<typeof buildRendererForTest>>;
let stack: Stack;
let chromium: LaunchedBrowser;
let app: OpenedPage;
let page: Page;

const today = (): string => new Date().toLocaleDateString('sv-SE');
const DOCS = join(import.meta.dirname, '..', '..', 'docs', 'screenshots');

async function shot(name: string, docsName?: string): Promise<void> {
  const path = await screenshot(page, name);
  if (docsName && process.env.GCTERM_DOC_SCREENSHOTS === '1') {
    mkdirSync(DOCS, { recursive: true });
    copyFileSync(path, join(DOCS, `${docsName}.png`));
  }
}

const text = (testId: string) => () => page.getByTestId(testId).first().innerText().catch(() => '');
const outcome = () => page.getByTestId('result').getAttribute('data-outcome', { timeout: 10_000 });

async function giftCard(balanceFen: number): Promise<{ code: string; cardId: string }> {
  return (await simAdmin(stack.simUrl, 'POST', '/sim/cards', { balanceFen, merchantId: DEMO_MERCHANT_ID })) as { code: string; cardId: string };
}

async function simBalance(code: string): Promise<number> {
  const response = await fetch(`${stack.simUrl}/sim/codes/${code}`);
  return ((await response.json()) as { balanceFen: number }).balanceFen;
}

let wedgeScan: (code: string) => Promise<void>;

/**
 * A person at the keyboard: slower than any scanner. The wedge holds each key back a moment (it
 * might start a scan), so wait until the keypad shows what was typed.
 */
async function typeSlowly(keys: string): Promise<void> {
  await page.keyboard.type(keys, { delay: 120 });
  await until(text('amount'), (t) => t === `¥${keys}`, `the typed amount ¥${keys}`);
}

async function enterPin(pin: string): Promise<void> {
  const input = page.locator('dialog[open].manager-pin .pinpad-input');
  await input.fill(pin);
  await input.press('Enter');
}

/** The manager PIN, accepted: the prompt goes away once the request it authorised is done. */
async function enterManagerPin(): Promise<void> {
  await enterPin('9999');
  await page.locator('dialog.manager-pin').waitFor({ state: 'detached' });
}

beforeAll(async () => {
  renderer = await buildRendererForTest();
  stack = await startStack(renderer.dir);
  chromium = await launchChromium(['--lang=zh-CN']);
  app = await openApp(chromium.browser, stack.server.url);
  page = app.page;
  wedgeScan = await createWedgeScanner(page);
}, 120_000);

// A failing step leaves a picture of what the cashier would have seen.
afterEach(async (context) => {
  if (context.task.result?.state === 'fail' && page) {
    await screenshot(page, `failed-${context.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`);
  }
});

afterAll(async () => {
  await app?.context.close();
  await chromium?.close();
  await stack?.close();
  renderer?.remove();
});

describe('a day at the counter (browser mode, real core, real simulator)', () => {
  it('opens on sign-in in Chinese, refuses a wrong PIN and signs the cashier in', async () => {
    await page.getByText('收银员登录').waitFor();
    expect(await page.getByTestId('mode-badge').innerText()).toContain('SANDBOX');
    // The secret has been moved out of the address bar.
    expect(page.url()).not.toContain('#k=');
    await shot('01-sign-in');
    await page.locator('#signin-pin').fill('0000');
    await page.keyboard.press('Enter');
    await until(() => page.locator('.pinpad-error').innerText(), (t) => t.includes('PIN 码错误'), 'the wrong-PIN message');
    await page.locator('#signin-pin').fill('1234');
    await page.keyboard.press('Enter');
    await page.getByTestId('waiting').waitFor();
    expect(await text('who')()).toContain('收银员1');
    await shot('02-redeem-waiting');
  });

  let approvedCode = '';
  it('redeems from a keyboard-wedge scan to the approved screen, with the remaining balance', async () => {
    const card = await giftCard(10_000);
    approvedCode = card.code;
    await wedgeScan(card.code);
    await until(text('card-balance'), (t) => t === '¥100.00', 'the card balance');
    // The scanner's Enter ended the scan: it confirmed nothing and typed nothing.
    expect(await text('amount')()).toBe('¥0.00');
    expect(await text('card-code')()).toContain(card.code.slice(-4));
    expect(await text('card-code')()).not.toContain(card.code);
    await typeSlowly('35.5');
    await until(text('amount'), (t) => t === '¥35.5', 'the typed amount');
    expect(await text('card-after')()).toBe('¥64.50');
    await shot('03-redeem-card', 'redeem');
    await page.keyboard.press('Enter');
    expect(await until(outcome, (o) => o !== null, 'the outcome')).toBe('approved');
    expect(await text('result-title')()).toBe('核销成功');
    expect(await text('result-amount')()).toBe('¥35.50');
    expect(await text('result-balance')()).toContain('¥64.50');
    await shot('04-approved', 'approved');
    expect(await simBalance(card.code)).toBe(6_450);
  });

  it('lets only a manager PIN void it', async () => {
    await page.getByTestId('void').click();
    await page.locator('dialog[open]').waitFor();
    await enterPin('1234');
    await until(() => page.locator('dialog[open].manager-pin .pinpad-error').innerText(), (t) => t.includes('需要店长 PIN 码'), 'manager required');
    await shot('05-void-manager-pin');
    expect(await simBalance(approvedCode)).toBe(6_450);
    await enterManagerPin();
    expect(await until(outcome, (o) => o === 'voided', 'the voided outcome')).toBe('voided');
    expect(await simBalance(approvedCode)).toBe(10_000);
    await page.keyboard.press('Enter');
    await page.getByTestId('waiting').waitFor();
  });

  it('declines with its reason, using the on-screen keypad', async () => {
    const card = await giftCard(1_000);
    await wedgeScan(card.code);
    await until(text('card-balance'), (t) => t === '¥10.00', 'the card balance');
    await page.locator('.keypad-keys').getByRole('button', { name: '2', exact: true }).click();
    await page.locator('.keypad-keys').getByRole('button', { name: '0', exact: true }).click();
    expect(await text('amount')()).toBe('¥20');
    expect(await text('amount-error')()).toContain('超过卡内余额');
    await page.getByTestId('confirm').click();
    expect(await until(outcome, (o) => o !== null, 'the outcome')).toBe('declined');
    expect(await text('result-reason')()).toBe('余额不足');
    await shot('06-declined');
    expect(await simBalance(card.code)).toBe(1_000);
    await page.getByTestId('next').click();
    await page.getByTestId('waiting').waitFor();
  });

  it('refuses a payment code at the scan, before anything is sent', async () => {
    await wedgeScan('134567890123456789');
    await until(text('scan-problem'), (t) => t.includes('微信支付付款码'), 'the payment-code message');
  });

  it('answers a balance inquiry without deducting', async () => {
    const card = await giftCard(8_888);
    await page.getByTestId('inquiry').click();
    await wedgeScan(card.code);
    await until(text('card-balance'), (t) => t === '¥88.88', 'the balance');
    await page.getByTestId('inquiry-done').waitFor();
    await shot('07-balance-inquiry');
    await page.keyboard.press('Enter');
    await page.getByTestId('waiting').waitFor();
    expect(await simBalance(card.code)).toBe(8_888);
  });

  let queuedCode = '';
  it('queues a redemption while WeChat is unreachable, visibly not approved', async () => {
    const card = await giftCard(20_000);
    queuedCode = card.code;
    // Seen online first, so the offline rules know the card.
    await wedgeScan(card.code);
    await until(text('card-balance'), (t) => t === '¥200.00', 'the card balance');
    await page.keyboard.press('Escape');
    await page.getByTestId('waiting').waitFor();
    await simAdmin(stack.simUrl, 'POST', '/sim/faults', { path: '*', kind: 'http500' });
    try {
      await wedgeScan(card.code);
      await until(() => page.getByTestId('card-panel').innerText(), (t) => t.includes('无法在线查询此卡'), 'the unverified card panel');
      await typeSlowly('50');
      await page.keyboard.press('Enter');
      expect(await until(outcome, (o) => o !== null, 'the outcome')).toBe('queued');
      expect(await text('result-title')()).toContain('离线受理');
      await until(text('online-state'), (t) => t.includes('离线'), 'the offline status');
      await until(text('queue-state'), (t) => t.includes('1 笔') && t.includes('¥50.00'), 'the queue depth and exposure');
      await shot('08-queued-offline', 'queued');
      expect(await simBalance(card.code)).toBe(20_000);
    } finally {
      await simAdmin(stack.simUrl, 'DELETE', '/sim/faults');
    }
    await page.keyboard.press('Enter');
  });

  it('shows it on the end-of-day screen and settles it when the queue is sent', async () => {
    await page.keyboard.press('F2');
    const rows = page.getByTestId('journal-row');
    await until(() => rows.count(), (n) => n === 3, 'the journal rows: voided, declined, queued');
    const queuedRow = page.locator('[data-testid="journal-row"].state-queued');
    expect(await queuedRow.count()).toBe(1);
    expect(await queuedRow.innerText()).toContain(queuedCode.slice(-4));
    await page.getByTestId('replay').click();
    await until(text('eod-notice'), (t) => t.includes('成功 1 笔'), 'the replay report');
    await until(() => page.locator('[data-testid="journal-row"].state-queued').count(), (n) => n === 0, 'no queued row');
    expect(await simBalance(queuedCode)).toBe(15_000);
    await until(text('online-state'), (t) => t.includes('在线'), 'back online');
    await until(text('total-settled'), (t) => t.includes('¥50.00'), 'the settled total');
    await until(text('chain'), (t) => t.includes('✓'), 'the chain verification');
    await page.getByTestId('eod-notice').getByRole('button').click();
    await shot('09-end-of-day', 'end-of-day');
  });

  it('exports a CSV whose rows match the journal', async () => {
    const download = page.waitForEvent('download');
    await page.getByTestId('export-csv').click();
    const file = await (await download).path();
    const csv = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
    const [header, ...lines] = csv.trim().split('\r\n');
    // The journal head closes the file (checked against `gcterm journal verify`).
    expect(lines.at(-1)).toMatch(/^# journal head: seq \d+ /);
    const columns = (header ?? '').split(',');
    const at = (name: string) => columns.indexOf(name);
    const rows = lines.filter((line) => !line.startsWith('#')).map((line) => line.split(','));
    const journal = await stack.core['journal:list']({ date: today() });
    if (!journal.ok) throw new Error('journal:list failed');
    expect(rows).toHaveLength(journal.value.length);
    // Chinese headers and states, as the manager reads them.
    const words: Readonly<Record<string, string>> = { voided: '已撤销', declined: '拒绝', settled: '成功' };
    const byId = new Map(rows.map((r) => [r[at('交易号')], r]));
    for (const redemption of journal.value) {
      const row = byId.get(redemption.id);
      expect(row, redemption.id).toBeDefined();
      expect(row?.[at('金额（元）')]).toBe(formatFen(redemption.amountFen));
      expect(row?.[at('状态')]).toBe(words[redemption.state]);
      expect(row?.[at('收银员')]).toBe(redemption.cashier);
    }
    expect(new Set(rows.map((r) => r[at('状态')]))).toEqual(new Set(['已撤销', '拒绝', '成功']));
  });

  it('filters by state and searches by code', async () => {
    await page.getByTestId('filter-state').selectOption('declined');
    await until(() => page.getByTestId('journal-row').count(), (n) => n === 1, 'one declined row');
    await page.getByTestId('filter-state').selectOption('');
    await page.getByTestId('filter-search').fill(queuedCode.slice(-6));
    await until(() => page.getByTestId('journal-row').count(), (n) => n === 1, 'one row for the searched code');
    await page.getByTestId('filter-search').fill('');
    await until(() => page.getByTestId('journal-row').count(), (n) => n === 3, 'all rows again');
  });

  it('opens a row from the keyboard and guards its void with the manager PIN', async () => {
    await page.getByTestId('journal-list').focus();
    await page.keyboard.press('Home');
    // Walk to the settled row (the one sent from the queue).
    for (let i = 0; i < 10; i++) {
      const active = await page.locator('[data-testid="journal-row"].active').getAttribute('class');
      if (active?.includes('state-settled')) break;
      await page.keyboard.press('ArrowDown');
    }
    await page.keyboard.press('Enter');
    await page.getByTestId('detail').waitFor();
    await page.getByTestId('detail-void').click();
    await enterPin('1234');
    await until(() => page.locator('dialog[open].manager-pin .pinpad-error').innerText(), (t) => t.includes('需要店长 PIN 码'), 'manager required');
    await page.keyboard.press('Escape');
    await page.locator('.manager-pin').waitFor({ state: 'detached' });
    expect(await simBalance(queuedCode)).toBe(15_000);
    await page.keyboard.press('Escape');
    await page.getByTestId('detail').waitFor({ state: 'detached' });
  });

  it('prints the Z-report from the print stylesheet', async () => {
    await page.emulateMedia({ media: 'print' });
    const report = page.getByTestId('z-report');
    expect(await report.isVisible()).toBe(true);
    expect(await report.innerText()).toContain('¥50.00');
    expect(await page.getByTestId('journal-list').isVisible()).toBe(false);
    await shot('10-z-report');
    await page.pdf({ path: join(ARTIFACTS, 'z-report.pdf'), format: 'A4' });
    await page.emulateMedia({ media: 'screen' });
  });

  it('switches to English at runtime, reason messages included, and back', async () => {
    await page.getByTestId('language-switch').click();
    await until(() => page.getByTestId('tab-endofday').innerText(), (t) => t.startsWith('End of day'), 'English tabs');
    expect(await text('totals')()).toContain('Totals by state');
    expect(await text('online-state')()).toContain('Online');
    await shot('11-end-of-day-en', 'end-of-day-en');
    await page.keyboard.press('F1');
    await page.getByText('Scan the gift card').waitFor();
    const card = await giftCard(500);
    await wedgeScan(card.code);
    await until(text('card-balance'), (t) => t === '¥5.00', 'the balance');
    await typeSlowly('6');
    await page.keyboard.press('Enter');
    expect(await until(outcome, (o) => o !== null, 'the outcome')).toBe('declined');
    expect(await text('result-title')()).toBe('DECLINED');
    expect(await text('result-reason')()).toBe('Insufficient balance');
    await shot('12-declined-en');
    await page.keyboard.press('Enter');
    await page.getByTestId('language-switch').click();
    await page.getByText('请扫描礼品卡').waitFor();
  });

  it('opens settings only with the manager PIN, with a live scan test', async () => {
    await page.keyboard.press('F3');
    await page.locator('dialog[open]').waitFor();
    await enterPin('1234');
    await until(() => page.locator('dialog[open].manager-pin .pinpad-error').innerText(), (t) => t.includes('需要店长 PIN 码'), 'manager required');
    await enterManagerPin();
    await page.getByTestId('settings-form').waitFor();
    await page.locator('body').click({ position: { x: 5, y: 700 } });
    await wedgeScan('688000000001');
    await until(text('scan-test'), (t) => t.includes('0001') && t.includes('卡券码'), 'the scan test result');
    await shot('13-settings', 'settings');
    // Scanner settings: saved with the rest, and read back when the screen is opened again.
    const scanners = page.getByTestId('scanner-settings');
    expect(await scanners.getByLabel('键盘扫码枪：按键最大间隔').inputValue()).toBe('50');
    await scanners.getByLabel('键盘扫码枪：按键最大间隔').fill('70');
    await scanners.getByLabel('条码结束符').selectOption('crlf');
    await page.getByTestId('settings-save').click();
    await until(text('settings-message'), (t) => t.includes('设置已保存'), 'saved');
    await page.keyboard.press('F1');
    await page.getByTestId('waiting').waitFor();
    await page.keyboard.press('F3');
    await enterManagerPin();
    await page.getByTestId('settings-form').waitFor();
    expect(await scanners.getByLabel('键盘扫码枪：按键最大间隔').inputValue()).toBe('70');
    expect(await scanners.getByLabel('条码结束符').inputValue()).toBe('crlf');
    expect(await scanners.innerText()).toContain('立即生效');
    // The page's wedge follows the saved timing through the status, without a reload.
    const status = await stack.core['status:get']({});
    expect(status.ok && status.value.scannerSettings.wedge.maxGapMs).toBe(70);
    expect(status.ok && status.value.scannerSettings.serial.framing).toBe('crlf');
    await page.keyboard.press('F1');
    await page.getByTestId('waiting').waitFor();
  });

  it('takes a live AppSecret once, never shows it again, and refuses LIVE while the default PINs are in use', async () => {
    await page.keyboard.press('F3');
    await enterManagerPin();
    await page.getByTestId('settings-form').waitFor();
    await page.getByLabel('正式（微信卡券接口）').check();
    await page.getByLabel('接口地址').fill('https://api.weixin.qq.com');
    await page.getByLabel('令牌来源').selectOption('appsecret');
    await page.getByLabel('AppID', { exact: true }).fill('wx0123456789abcdef');
    await page.getByTestId('settings-save').click();
    await until(text('settings-message'), (t) => t.includes('AppSecret'), 'the missing secret named');
    await page.locator('input[type="password"]').first().fill('s3cret-never-shown-again');
    await page.getByTestId('settings-save').click();
    // 1234 / 9999 are still PINs here: LIVE is refused with what to do, nothing is saved.
    await until(text('settings-message'), (t) => t.includes('仍在使用默认 PIN 码') && t.includes('gcterm people set-pin'), 'LIVE refused');
    expect(await page.content()).not.toContain('s3cret-never-shown-again');
    const saved = await stack.core['settings:get']({ managerPin: '9999' });
    expect(saved.ok && saved.value.apiBase).toBeNull();
    // Back to the sandbox: the form matches what is saved again, so leaving asks nothing.
    await page.getByLabel('沙箱（内置模拟器，用于演示与培训）').check();
    await page.getByTestId('settings-save').click();
    await until(text('settings-message'), (t) => t.includes('设置已保存'), 'back to the sandbox');
    await page.keyboard.press('F1');
    await page.getByTestId('waiting').waitFor();
  });

  it('puts a replay that no longer fits the card in the review queue, for a manager to write off', async () => {
    const card = await giftCard(10_000);
    await wedgeScan(card.code);
    await until(text('card-balance'), (t) => t === '¥100.00', 'the card balance');
    await page.keyboard.press('Escape');
    await simAdmin(stack.simUrl, 'POST', '/sim/faults', { path: '*', kind: 'http500' });
    try {
      await wedgeScan(card.code);
      await until(() => page.getByTestId('card-panel').innerText(), (t) => t.includes('无法在线查询此卡'), 'the unverified card panel');
      await typeSlowly('80');
      await page.keyboard.press('Enter');
      expect(await until(outcome, (o) => o !== null, 'the outcome')).toBe('queued');
      await page.keyboard.press('Enter');
      // Above the offline limit per redemption: declined, naming the limit.
      await wedgeScan(card.code);
      await until(() => page.getByTestId('card-panel').innerText(), (t) => t.includes('无法在线查询此卡'), 'the unverified card panel');
      await typeSlowly('250');
      await page.keyboard.press('Enter');
      expect(await until(outcome, (o) => o !== null, 'the outcome')).toBe('declined');
      expect(await text('result-reason')()).toBe('离线时单笔金额超过上限（¥200.00）');
    } finally {
      await simAdmin(stack.simUrl, 'DELETE', '/sim/faults');
    }
    await page.keyboard.press('Enter');
    // Meanwhile the card was spent elsewhere: ¥80 no longer fits.
    await simClient(stack.simUrl).setBalance(card.code, card.cardId, 5_000);
    await page.keyboard.press('F2');
    await page.getByTestId('replay').click();
    await page.getByTestId('review-queue').waitFor();
    await until(text('review-state'), (t) => t.includes('待核对 1 笔'), 'the status bar review count');
    await shot('14-review-queue');
    await page.getByTestId('review-queue').getByRole('button').first().click();
    await page.getByTestId('detail').waitFor();
    expect(await text('detail')()).toContain('余额不足');
    await page.locator('#review-note').fill('顾客改付现金');
    await page.getByTestId('review-write_off').click();
    await enterPin('1234');
    await until(() => page.locator('dialog[open].manager-pin .pinpad-error').innerText(), (t) => t.includes('需要店长 PIN 码'), 'manager required');
    await enterManagerPin();
    await until(text('detail-message'), (t) => t.includes('已核销损失'), 'the written-off state');
    await page.keyboard.press('Escape');
    await page.getByTestId('review-queue').waitFor({ state: 'detached' });
    expect(await simBalance(card.code)).toBe(5_000);
    const journal = await stack.core['journal:list']({ date: today(), state: 'written_off' });
    expect(journal.ok && journal.value.map((r) => [r.amountFen, r.detail?.includes('顾客改付现金')])).toEqual([[8_000, true]]);
  });

  it('redeems a voucher whole, with no balance to show', async () => {
    await page.keyboard.press('F1');
    await page.getByTestId('waiting').waitFor();
    await wedgeScan('688000000007');
    await until(text('card-balance'), (t) => t === '整张兑换', 'the voucher panel');
    await typeSlowly('28');
    await page.keyboard.press('Enter');
    expect(await until(outcome, (o) => o !== null, 'the outcome')).toBe('approved');
    expect(await text('result-amount')()).toBe('¥28.00');
    expect(await page.getByTestId('result-balance').count()).toBe(0);
    await page.keyboard.press('Enter');
  });

  it('works by touch alone: PIN pad, keypad, confirm', async () => {
    const touch = await openApp(chromium.browser, stack.server.url, { hasTouch: true });
    try {
      const p = touch.page;
      // A new window asks for the PIN again (issue 11).
      await p.getByText('收银员登录').waitFor();
      for (const digit of '1234') await p.locator('.pinpad-keys').getByRole('button', { name: digit, exact: true }).tap();
      await p.locator('.pinpad-actions .button.primary').tap();
      await p.getByTestId('waiting').waitFor();
      const card = await giftCard(3_000);
      await (await createWedgeScanner(p))(card.code);
      await p.getByTestId('card-balance').getByText('¥30.00').waitFor();
      for (const key of ['1', '2', '.', '5']) await p.locator('.keypad-keys').getByRole('button', { name: key, exact: true }).tap();
      expect(await p.getByTestId('amount').innerText()).toBe('¥12.5');
      await p.getByTestId('confirm').tap();
      await p.locator('[data-testid="result"][data-outcome="approved"]').waitFor();
      expect(await p.getByTestId('result-balance').innerText()).toContain('¥17.50');
      expect(touch.problems).toEqual([]);
    } finally {
      await touch.context.close();
    }
  });

  it('redeems a card held up to the camera (Chromium playing a video of its QR code)', async () => {
    const card = await giftCard(6_000);
    const work = mkdtempSync(join(tmpdir(), 'gcterm-ui-camera-'));
    const video = join(work, 'card.y4m');
    const picture = cardImage(renderCode('qr', card.code, 4));
    const frames = Array.from({ length: 10 }, (_, i) => noise(blur(scene(picture, 640, 480, { cx: 0.5, cy: 0.5, scale: 0.4, rotationDeg: -5 + i, tilt: 0.05 }, i + 1), 1), 4, i + 1));
    writeFileSync(video, y4m(frames, 15));
    const withCamera = await launchChromium(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${video}`]);
    try {
      const cam = await openApp(withCamera.browser, stack.server.url);
      const p = cam.page;
      await p.getByTestId('waiting').or(p.getByText('收银员登录')).waitFor();
      if (await p.getByText('收银员登录').isVisible()) {
        await p.locator('#signin-pin').fill('1234');
        await p.keyboard.press('Enter');
        await p.getByTestId('waiting').waitFor();
      }
      await p.getByTestId('camera').click();
      await p.getByTestId('card-balance').getByText('¥60.00').waitFor({ timeout: 20_000 });
      // The camera is released once it has read the code.
      await p.locator('[data-testid="camera"][aria-pressed="true"]').waitFor({ state: 'detached', timeout: 5_000 }).catch(() => undefined);
      expect(await p.locator('video.camera-preview').count()).toBe(0);
      await p.keyboard.type('12', { delay: 120 });
      await until(() => p.getByTestId('amount').innerText(), (t) => t === '¥12', 'the typed amount');
      await p.keyboard.press('Enter');
      await p.locator('[data-testid="result"][data-outcome="approved"]').waitFor();
      expect(await p.getByTestId('result-balance').innerText()).toContain('¥48.00');
      expect(cam.problems).toEqual([]);
      await cam.context.close();
    } finally {
      await withCamera.close();
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('fits 1024×768 without sideways scrolling and broke no CSP rule', async () => {
    for (const key of ['F1', 'F2']) {
      await page.keyboard.press(key);
      await page.locator(`[data-testid="tab-${key === 'F1' ? 'redeem' : 'endofday'}"][aria-current="page"]`).waitFor();
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(1024);
    }
    expect(app.problems).toEqual([]);
  });
});
