/**
 * End-to-end harness: the real core (openCore, SANDBOX mode: its embedded simulator) behind the
 * real browser-mode server, the built renderer, and Debian's Chromium at counter-screen size.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { openCore, type Core } from '../../src-main/core.ts';
import { buildRenderer } from '../../src-main/cli/serve.ts';
import { startHardwareScanners } from '../../src-main/shell/hardware-scanners.ts';
import { startBrowserServer, type BrowserServer } from '../../src-main/server/index.ts';
import { configureLogging } from '../../src-main/log.ts';

export const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts');
export const SCREENS = join(ARTIFACTS, 'screens');

/** Builds the renderer into a fresh temporary directory (a few seconds). */
export async function buildRendererForTest(): Promise<Readonly<{ dir: string; remove(): void }>> {
  const dir = mkdtempSync(join(tmpdir(), 'gcterm-renderer-'));
  await buildRenderer(dir);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export type Stack = Readonly<{
  core: Core;
  server: BrowserServer;
  dataDir: string;
  /** The embedded simulator's URL (admin API under /sim/). */
  simUrl: string;
  close(): Promise<void>;
}>;

export type StackOptions = Readonly<{
  env?: Readonly<Record<string, string>>;
  /** Written to <dataDir>/settings.json before the core opens. */
  settings?: Readonly<Record<string, unknown>>;
  /** Start the serial/HID scanners from the settings, as `gcterm serve` does. */
  hardwareScanners?: boolean;
  /** A real first start: the setup screen comes first (otherwise GCTERM_SKIP_SETUP skips it). */
  firstRun?: boolean;
}>;

export async function startStack(staticDir: string, options: StackOptions = {}): Promise<Stack> {
  configureLogging({ level: 'error' });
  const dataDir = mkdtempSync(join(tmpdir(), 'gcterm-ui-'));
  if (options.settings) writeFileSync(join(dataDir, 'settings.json'), JSON.stringify(options.settings));
  // No GCTERM_API_BASE: SANDBOX mode, exactly what a fresh install runs.
  const core = await openCore({ dataDir, env: { GCTERM_DATA_DIR: dataDir, ...(options.firstRun ? {} : { GCTERM_SKIP_SETUP: '1' }), ...options.env }, replayIntervalMs: 3_600_000 });
  const scanners = options.hardwareScanners ? startHardwareScanners(core) : null;
  const server = await startBrowserServer(core, { staticDir, ...(scanners ? { events: scanners.onEvent } : {}) });
  const sim = core.terminal.sim;
  if (!sim) throw new Error('expected the embedded simulator (SANDBOX mode)');
  return {
    core,
    server,
    dataDir,
    simUrl: sim.url,
    async close() {
      await server.close();
      await scanners?.stop();
      await core.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type OpenedPage = Readonly<{ context: BrowserContext; page: Page; problems: string[] }>;

/** A 1024×768 page (the smallest counter screen) that records CSP violations and page errors. */
export async function openApp(browser: Browser, url: string, options: Readonly<{ hasTouch?: boolean }> = {}): Promise<OpenedPage> {
  const context = await browser.newContext({ viewport: { width: 1024, height: 768 }, acceptDownloads: true, hasTouch: options.hasTouch ?? false, locale: 'zh-CN' });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    const text = message.text();
    if (message.type() === 'error' || /Content Security Policy/i.test(text)) problems.push(`console ${message.type()}: ${text}`);
  });
  await page.goto(url);
  return { context, page, problems };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENS, { recursive: true });
  const path = join(SCREENS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** A sim admin call (create cards, inject faults) on the embedded simulator. */
export async function simAdmin(simUrl: string, method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${simUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`sim ${method} ${path}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

/**
 * A keyboard-wedge scanner as the page sees one: key events stamped a few milliseconds apart by
 * the "keyboard" (CDP's event timestamp, like the OS stamps a USB scanner's keys), then Enter.
 * Stamping matters: on a loaded machine the page may handle the keys late, but their timestamps
 * still say "burst", exactly as with real hardware.
 */
export async function createWedgeScanner(page: Page, gapMs = 8): Promise<(code: string) => Promise<void>> {
  const cdp = await page.context().newCDPSession(page);
  const send = async (type: 'keyDown' | 'keyUp', key: string, at: number): Promise<void> => {
    const isEnter = key === 'Enter';
    const upper = key.toUpperCase();
    const code = isEnter ? 'Enter' : /\d/.test(key) ? `Digit${key}` : `Key${upper}`;
    const keyCode = isEnter ? 13 : upper.charCodeAt(0);
    await cdp.send('Input.dispatchKeyEvent', {
      type,
      key,
      code,
      windowsVirtualKeyCode: keyCode,
      nativeVirtualKeyCode: keyCode,
      ...(type === 'keyDown' ? { text: isEnter ? '\r' : key, unmodifiedText: isEnter ? '\r' : key } : {}),
      timestamp: at / 1000,
    });
  };
  return async (text: string) => {
    const start = Date.now();
    const keys = [...text, 'Enter'];
    for (const [i, key] of keys.entries()) {
      const at = start + i * gapMs;
      await send('keyDown', key, at);
      await send('keyUp', key, at + 2);
    }
  };
}
