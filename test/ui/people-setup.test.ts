/**
 * Issue 11 in Chromium against the real core and its embedded simulator: the first-run setup to
 * a working redemption; LIVE refused while the default PINs remain; a reload asks for the PIN;
 * Settings shows LIVE when LIVE is saved and asks before dropping unsaved edits; people managed on
 * Settings; wrong PINs shown to the manager at end of day, and the delay after 5 of them.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_MERCHANT_ID, SANDBOX_APPID, SANDBOX_SECRET } from '../../src-main/sim/index.ts';
import { launchChromium, type LaunchedBrowser } from '../helpers/browser.ts';
import { buildRendererForTest, createWedgeScanner, openApp, screenshot, simAdmin, startStack, type OpenedPage, type Stack } from './harness.ts';

let renderer: Awaited<ReturnType<typeof buildRendererForTest>>;
let chromium: LaunchedBrowser;
let stack: Stack | null = null;
let app: OpenedPage | null = null;

beforeAll(async () => {
  renderer = await buildRendererForTest();
  chromium = await launchChromium(['--lang=zh-CN']);
}, 120_000);
afterEach(async (context) => {
  if (context.task.result?.state === 'fail' && app) await screenshot(app.page, `failed-issue11-${context.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 50)}`);
  await app?.context.close();
  app = null;
  await stack?.close();
  stack = null;
});
afterAll(async () => {
  await chromium?.close();
  renderer?.remove();
});

/** Polls until `read` gives what `accept` wants (the UI updates asynchronously). */
async function until<T>(read: () => Promise<T>, accept: (value: T) => boolean, what: string, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T = await read();
  while (!accept(last)) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
    last = await read();
  }
  return last;
}
const textOf = (page: Page, testId: string) => () => page.getByTestId(testId).first().innerText().catch(() => '');

async function signIn(page: Page, pin: string): Promise<void> {
  await page.locator('#signin-pin').fill(pin);
  await page.keyboard.press('Enter');
}
async function managerPin(page: Page, pin: string): Promise<void> {
  const input = page.locator('dialog[open].manager-pin .pinpad-input');
  await input.fill(pin);
  await input.press('Enter');
}

describe('first-run setup', () => {
  it('guides the installer to a working redemption; LIVE is refused while 1234 / 9999 remain, and a wrong secret is named', async () => {
    stack = await startStack(renderer.dir, { firstRun: true });
    app = await openApp(chromium.browser, stack.server.url);
    const page = app.page;
    await page.getByTestId('setup-form').waitFor();
    await screenshot(page, 'issue11-setup');

    // LIVE with AppID + AppSecret, against the simulator as the API: refused with the default PINs.
    await page.getByTestId('setup-mode').selectOption('appsecret');
    await page.getByTestId('setup-api-base').fill(stack.simUrl);
    await page.getByTestId('setup-appid').fill(SANDBOX_APPID);
    await page.getByTestId('setup-secret').fill('wrong-secret');
    await page.getByTestId('setup-test').click();
    await until(textOf(page, 'setup-message'), (t) => t.includes('凭证被拒绝'), 'a wrong secret named');
    await page.getByTestId('setup-secret').fill(SANDBOX_SECRET);
    const card = (await simAdmin(stack.simUrl, 'POST', '/sim/cards', { balanceFen: 8_000, merchantId: DEMO_MERCHANT_ID, title: '安装测试卡' })) as { code: string; cardId: string };
    await page.getByTestId('setup-card-id').fill(card.cardId);
    await page.getByTestId('setup-test').click();
    await until(textOf(page, 'setup-message'), (t) => t.includes('安装测试卡'), 'the card read back');
    await page.getByTestId('setup-finish').click();
    await until(textOf(page, 'setup-message'), (t) => t.includes('仍在使用默认 PIN 码'), 'LIVE refused with the default PINs');

    // The practice install: SANDBOX, new PINs, a scanner tried.
    await page.getByTestId('setup-mode').selectOption('sandbox');
    await page.getByTestId('setup-terminal-id').fill('T09');
    await page.getByTestId('setup-pin-收银员1').fill('1111');
    await page.getByTestId('setup-finish').click();
    await until(textOf(page, 'setup-message'), (t) => t.includes('PIN 码不能全部是同一个数字'), 'a too simple PIN refused');
    await page.getByTestId('setup-pin-收银员1').fill('2468');
    await page.getByTestId('setup-pin-店长').fill('8642');
    await page.locator('body').click({ position: { x: 5, y: 700 } });
    await (await createWedgeScanner(page))('688000000001');
    await until(textOf(page, 'setup-scan'), (t) => t.includes('688000000001'), 'the scanner test');
    await page.getByTestId('setup-finish').click();

    await page.getByText('收银员登录').waitFor();
    expect(await textOf(page, 'mode-badge')()).toContain('SANDBOX');
    await signIn(page, '1234');
    await until(() => page.locator('.pinpad-error').innerText(), (t) => t.includes('PIN 码错误'), 'the old PIN refused');
    await signIn(page, '2468');
    await page.getByTestId('waiting').waitFor();

    const sandboxCard = (await simAdmin(stack.simUrl, 'POST', '/sim/cards', { balanceFen: 5_000, merchantId: DEMO_MERCHANT_ID })) as { code: string };
    await (await createWedgeScanner(page))(sandboxCard.code);
    await until(textOf(page, 'card-balance'), (t) => t === '¥50.00', 'the card balance');
    await page.keyboard.type('20', { delay: 120 });
    await until(textOf(page, 'amount'), (t) => t === '¥20', 'the typed amount');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="result"][data-outcome="approved"]').waitFor();
    expect(await textOf(page, 'result-balance')()).toContain('¥30.00');
    const status = await stack.core['status:get']({});
    expect(status.ok && status.value).toMatchObject({ terminalId: 'T09', setupNeeded: false });
    expect(app.problems).toEqual([]);
  });
});

describe('sign-in, settings and people', () => {
  it('a reload asks for the PIN again; a cashier changes her own PIN', async () => {
    stack = await startStack(renderer.dir);
    app = await openApp(chromium.browser, stack.server.url);
    const page = app.page;
    await page.getByText('收银员登录').waitFor();
    await signIn(page, '1234');
    await page.getByTestId('waiting').waitFor();
    await page.reload();
    await page.getByText('收银员登录').waitFor();
    expect(await page.getByTestId('waiting').count()).toBe(0);
    const session = await stack.core['session:get']({});
    expect(session.ok && session.value.signedIn).toBe(false);

    // The cashier changes her own PIN; the old one no longer signs in.
    await signIn(page, '1234');
    await page.getByTestId('waiting').waitFor();
    await page.getByTestId('my-pin').click();
    await page.getByTestId('my-pin-current').fill('1234');
    await page.getByTestId('my-pin-new').fill('2468');
    await page.getByTestId('my-pin-again').fill('2468');
    await page.getByTestId('my-pin-save').click();
    await until(textOf(page, 'my-pin-message'), (t) => t.includes('PIN 码已修改'), 'the PIN changed');
    await page.getByRole('button', { name: '关闭' }).last().click();
    await page.getByTestId('sign-out').click();
    await signIn(page, '1234');
    await until(() => page.locator('.pinpad-error').innerText(), (t) => t.includes('PIN 码错误'), 'the old PIN refused');
    await page.locator('#signin-pin:not([disabled])').waitFor();
    await signIn(page, '2468');
    await page.getByTestId('waiting').waitFor();
  });

  it('Settings shows LIVE when LIVE is saved, asks before dropping unsaved edits, and manages people', async () => {
    stack = await startStack(renderer.dir);
    const core = stack.core;
    await core['people:resetPin']({ managerPin: '9999', name: '收银员1', pin: '2468' });
    await core['people:resetPin']({ managerPin: '9999', name: '店长', pin: '8642' });
    const live = await core['settings:update']({ managerPin: '8642', patch: { apiBase: stack.simUrl, token: { provider: 'appsecret', appid: SANDBOX_APPID, secret: SANDBOX_SECRET } } });
    expect(live.ok).toBe(true);
    app = await openApp(chromium.browser, stack.server.url);
    const page = app.page;
    await signIn(page, '2468');
    await page.getByTestId('waiting').waitFor();
    await page.keyboard.press('F3');
    await managerPin(page, '8642');
    await page.getByTestId('settings-form').waitFor();
    expect(await page.getByLabel('正式（微信卡券接口）').isChecked()).toBe(true);
    expect(await page.getByLabel('接口地址').inputValue()).toBe(stack.simUrl);
    expect(await page.getByLabel('AppID', { exact: true }).inputValue()).toBe(SANDBOX_APPID);

    // An unsaved edit: leaving asks; "cancel" stays, "OK" leaves without saving.
    await page.getByLabel('终端编号').fill('T42');
    await page.getByTestId('settings-dirty').waitFor();
    const asked: string[] = [];
    page.once('dialog', (d) => {
      asked.push(d.message());
      void d.dismiss();
    });
    await page.keyboard.press('F1');
    await until(async () => asked.length, (n) => n === 1, 'the leave question');
    expect(asked[0]).toContain('未保存的修改');
    expect(await page.getByTestId('settings-form').count()).toBe(1);
    page.once('dialog', (d) => void d.accept());
    await page.keyboard.press('F1');
    await page.getByTestId('waiting').waitFor();
    const saved = await core['settings:get']({ managerPin: '8642' });
    expect(saved.ok && saved.value.terminalId).toBe('T01');

    // People: add a cashier, who then signs in; the last manager cannot be disabled.
    await page.keyboard.press('F3');
    await managerPin(page, '8642');
    const people = page.getByTestId('people');
    await people.getByTestId('person-店长').waitFor();
    const add = page.getByTestId('person-add');
    await add.getByLabel('姓名').fill('小王');
    await add.getByLabel('PIN 码（4–8 位数字）').fill('4826');
    await add.getByRole('button', { name: '添加人员' }).click();
    await until(textOf(page, 'people-message'), (t) => t.includes('已添加 小王'), 'added');
    await people.getByTestId('person-店长').getByRole('button', { name: '停用' }).click();
    await until(textOf(page, 'people-message'), (t) => t.includes('不能停用自己'), 'self refused');
    await people.getByTestId('person-店长').getByLabel('角色').selectOption('cashier');
    await until(textOf(page, 'people-message'), (t) => t.includes('不能停用或降级最后一位店长'), 'last manager kept');
    await screenshot(page, 'issue11-people');
    await page.keyboard.press('F1');
    await page.getByTestId('sign-out').click();
    await signIn(page, '4826');
    await page.getByTestId('waiting').waitFor();
    expect(await textOf(page, 'who')()).toContain('小王');
  });

  it('wrong PINs are shown to the manager at end of day; 5 in a row bring a delay', async () => {
    stack = await startStack(renderer.dir);
    app = await openApp(chromium.browser, stack.server.url);
    const page = app.page;
    const signInFailures = () => (stack?.core.terminal.db.prepare("SELECT count(*) AS n FROM pin_attempts WHERE ok = 0 AND purpose = 'sign_in'").get() as { n: number }).n;
    for (const [i, wrong] of ['0000', '1357', '2580', '9876'].entries()) {
      await page.locator('#signin-pin:not([disabled])').waitFor();
      await signIn(page, wrong);
      await until(async () => signInFailures(), (n) => n === i + 1, `wrong PIN ${i + 1} counted`);
    }
    expect(await page.locator('.pinpad-error').innerText()).toContain('PIN 码错误');
    await page.locator('#signin-pin:not([disabled])').waitFor();
    await signIn(page, '1234');
    await page.getByTestId('waiting').waitFor();
    await page.keyboard.press('F2');
    await page.getByTestId('pin-failures-show').click();
    await managerPin(page, '9999');
    await until(textOf(page, 'pin-failures'), (t) => t.includes('当天输错 4 次') && t.includes('登录') && t.includes('T01'), 'the wrong PINs listed');

    // Five wrong manager PINs: the next attempts wait, and the prompt says how long.
    await page.keyboard.press('F3');
    const failures = () => (stack?.core.terminal.db.prepare("SELECT count(*) AS n FROM pin_attempts WHERE ok = 0 AND purpose = 'manager'").get() as { n: number }).n;
    for (let i = 0; i < 4; i++) {
      await page.locator('dialog[open].manager-pin .pinpad-input:not([disabled])').waitFor();
      await managerPin(page, `5${i}5${i}`);
      await until(async () => failures(), (n) => n === i + 1, `wrong manager PIN ${i + 1} counted`);
    }
    await page.locator('dialog[open].manager-pin .pinpad-input:not([disabled])').waitFor();
    await managerPin(page, '5454');
    await until(() => page.locator('body').innerText(), (t) => /请 \d+ 秒后再试/.test(t), 'the delay shown');
    expect(await stack.core['settings:get']({ managerPin: '9999' })).toMatchObject({ ok: false, error: { reason: 'pin_locked' } });
  });
});
