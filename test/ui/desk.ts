/**
 * Helpers for the counter and manager's-desk browser tests: waiting on conditions, axe-core
 * accessibility checks, screenshots for the docs, signing in.
 */
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { screenshot } from './harness.ts';

const DOCS = join(import.meta.dirname, '..', '..', 'docs', 'screenshots');

/** Polls until `read` gives what `accept` wants (the UI updates asynchronously). */
export async function until<T>(read: () => Promise<T>, accept: (value: T) => boolean, what: string, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T = await read();
  while (!accept(last)) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
    last = await read();
  }
  return last;
}

/** A screenshot to test-artifacts/screens/, and with GCTERM_DOC_SCREENSHOTS=1 to docs/screenshots/. */
export async function shot(page: Page, name: string, docsName?: string): Promise<void> {
  const path = await screenshot(page, name);
  if (docsName && process.env.GCTERM_DOC_SCREENSHOTS === '1') {
    mkdirSync(DOCS, { recursive: true });
    copyFileSync(path, join(DOCS, `${docsName}.png`));
  }
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export type AxeViolation = Readonly<{ id: string; impact: string | null; help: string; targets: readonly string[] }>;

/**
 * Runs axe-core (WCAG 2.x A/AA rules) on the page as it is now and returns the serious and
 * critical violations. Injected through the DevTools protocol, so the page's CSP stays on.
 */
export async function axeSerious(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate('typeof window.axe === "object"');
  if (!loaded) await page.evaluate(axeSource);
  const violations = (await page.evaluate(`
    window.axe
      .run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] })
      .then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => String(n.target)) })))
  `)) as AxeViolation[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Signs in with a PIN typed on the keyboard. */
export async function signIn(page: Page, pin = '1234'): Promise<void> {
  await page.locator('#signin-pin').waitFor();
  await page.locator('#signin-pin').fill(pin);
  await page.keyboard.press('Enter');
  await page.getByTestId('waiting').waitFor();
}

/** A person at the keyboard: slower than any scanner; waits until the page has taken the keys. */
export async function typeSlowly(page: Page, keys: string, shown: () => Promise<boolean>): Promise<void> {
  await page.keyboard.type(keys, { delay: 120 });
  await until(shown, (ok) => ok, `the page to take "${keys}"`);
}
