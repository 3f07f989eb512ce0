import { chromium, type Browser, type LaunchOptions } from 'playwright-core';

/** Debian's Chromium; never a downloaded browser (see README, "Tests"). */
export const CHROMIUM_PATH = process.env.GCTERM_CHROMIUM ?? '/usr/bin/chromium';

export type LaunchedBrowser = { readonly browser: Browser; close(): Promise<void> };

/**
 * Launches headless Chromium with the flags this closed-network machine needs. Playwright's
 * launch() always starts from a fresh, temporary profile (it refuses a --user-data-dir flag).
 */
export async function launchChromium(extraArgs: readonly string[] = [], options: LaunchOptions = {}): Promise<LaunchedBrowser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    ...options,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      ...extraArgs,
    ],
  });
  return {
    browser,
    async close() {
      await browser.close();
    },
  };
}
