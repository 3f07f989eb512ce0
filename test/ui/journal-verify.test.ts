/**
 * End of day says what `journal verify` found, in the UI's language: a journal that gained
 * events naming a redemption with no row (written behind the app's back, through a second
 * connection to the real file) is shown as broken, naming the redemption, in Chinese and then
 * in English.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction, openJournal } from '../../src-main/journal/db.ts';
import { appendEvent } from '../../src-main/journal/events.ts';
import { launchChromium, type LaunchedBrowser } from '../helpers/browser.ts';
import { until } from '../helpers/until.ts';
import { buildRendererForTest, openApp, startStack, type OpenedPage, type Stack } from './harness.ts';

let renderer: Awaited<ReturnType<typeof buildRendererForTest>>;
let stack: Stack;
let chromium: LaunchedBrowser;
let app: OpenedPage;
let page: Page;

beforeAll(async () => {
  renderer = await buildRendererForTest();
  stack = await startStack(renderer.dir);
  chromium = await launchChromium(['--lang=zh-CN']);
  app = await openApp(chromium.browser, stack.server.url);
  page = app.page;
}, 120_000);

afterAll(async () => {
  await app?.context.close();
  await chromium?.close();
  await stack?.close();
  renderer?.remove();
});

const chain = () => page.getByTestId('chain').first().innerText().catch(() => '');

describe('the journal check on the end-of-day screen', () => {
  it('names a redemption whose events have no row, in Chinese and in English', async () => {
    const other = openJournal(join(stack.dataDir, 'journal.db'));
    try {
      inTransaction(other, () => appendEvent(other, { redemptionId: 'ghost-0001', kind: 'api', data: { path: '/card/generalcard/updateuser' } }));
    } finally {
      other.close();
    }
    await page.getByText('收银员登录').waitFor();
    await page.locator('#signin-pin').fill('1234');
    await page.keyboard.press('Enter');
    await page.getByTestId('waiting').waitFor();
    await page.keyboard.press('F2');
    const zh = await until(chain, (t) => t.includes('✕'), 'the failed journal check');
    expect(zh).toContain('交易 ghost-0001');
    expect(zh).toContain('但该交易不存在');
    expect(await page.getByTestId('chain').getAttribute('class')).toContain('broken');

    await page.getByTestId('language-switch').click();
    await until(() => page.getByTestId('tab-endofday').innerText(), (t) => t.startsWith('End of day'), 'English tabs');
    const en = await until(chain, (t) => t.includes('belong to redemption ghost-0001'), 'the English problem');
    expect(en).toContain('which does not exist');
    expect(app.problems).toEqual([]);
  });
});
