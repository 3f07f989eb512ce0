/**
 * The keyboard wedge in real Chromium: recorded timing traces of scanners and people, played as
 * real key events into a counter page with an amount field. What the cashier would notice: each
 * scan is read exactly, a scan never lands in the amount field or submits the form, and typing
 * (even fast, even ending in Enter) arrives in the field as typed and is never taken for a scan.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type LaunchedBrowser } from '../helpers/browser.ts';
import { sleep } from './helpers/events.ts';
import { playTrace, type WedgeTrace } from './helpers/keys.ts';
import { buildScannerPage, serveStatic, type BuiltPage, type StaticServer } from './helpers/page.ts';

const TRACES = join(import.meta.dirname, '..', 'fixtures', 'scanners', 'wedge');
const load = (name: string): WedgeTrace => JSON.parse(readFileSync(join(TRACES, name), 'utf8')) as WedgeTrace;

type Seen = {
  scans: Array<{ text: string; gaps: number[] }>;
  amountInputs: string[];
  amountKeys: string[];
  notesKeys: string[];
  submits: string[];
  arrivals: Array<{ code: string; at: number; handled: number }>;
  calibration?: unknown;
};

/** Hold time of the default wedge settings: how long a key waits for the next one. */
const HOLD_MS = 90;

/**
 * Whether the page handled some key more than the hold time after the one before it: then the
 * wedge had, by design, already given the held keys to the field as typing when the rest of the
 * scan arrived (the CI machine was that busy), and took them out again.
 */
const pageFellBehind = (arrivals: Seen['arrivals']): boolean =>
  arrivals.some((a, i) => i > 0 && a.handled - (arrivals[i - 1]?.handled ?? a.handled) > HOLD_MS);

let built: BuiltPage;
let server: StaticServer;
let chromium: LaunchedBrowser;

beforeAll(async () => {
  built = await buildScannerPage();
  server = await serveStatic(built.dir);
  chromium = await launchChromium();
});

afterAll(async () => {
  await chromium?.close();
  await server?.close();
  await built?.cleanup();
});

async function counterPage(): Promise<{ page: Page; cdp: CDPSession }> {
  const page = await chromium.browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(server.url);
  await page.waitForFunction(() => (globalThis as unknown as { scannersReady?: boolean }).scannersReady === true);
  await page.evaluate(() => {
    const w = globalThis as unknown as {
      scanners: { attachKeyboardWedge(o: unknown): unknown };
      seen: Seen;
      wedge: unknown;
    };
    w.wedge = w.scanners.attachKeyboardWedge({
      onScan: (read: { raw: string }, detail: { gapsMs: number[] }) => w.seen.scans.push({ text: read.raw, gaps: detail.gapsMs }),
    });
  });
  const cdp = await page.context().newCDPSession(page);
  return { page, cdp };
}

async function seen(page: Page): Promise<Seen & { amount: string; notes: string }> {
  return page.evaluate(() => {
    // Runs in the page; typed without the DOM library, which the Node test config does not load.
    const w = globalThis as unknown as { seen: Seen; document: { getElementById(id: string): { value: string } | null } };
    return { ...w.seen, amount: w.document.getElementById('amount')?.value ?? '', notes: w.document.getElementById('notes')?.value ?? '' };
  });
}

async function run(trace: WedgeTrace, stall?: Readonly<{ stallAfter?: number; stallMs?: number; lagMs?: number }>): Promise<Seen & { amount: string; notes: string }> {
  const { page, cdp } = await counterPage();
  try {
    await page.focus(`#${trace.focus}`);
    if (trace.composition) {
      await cdp.send('Input.imeSetComposition', { text: trace.composition, selectionStart: trace.composition.length, selectionEnd: trace.composition.length });
    }
    await playTrace(cdp, trace.events, stall ?? {});
    await sleep(250); // longer than the hold time: whatever was held has been decided
    return await seen(page);
  } finally {
    await page.close();
  }
}

describe('keyboard wedge: recorded traces in Chromium', () => {
  const files = readdirSync(TRACES).filter((f) => f.endsWith('.json'));

  it.each(files)('%s', async (file) => {
    const trace = load(file);
    const result = await run(trace);
    expect(result.scans.map((s) => s.text)).toEqual(trace.expect.scans);
    expect(result.amount).toBe(trace.expect.amount);
    expect(result.notes).toBe(trace.expect.notes);
    expect(result.submits).toHaveLength(trace.expect.submitted);
    if (trace.expect.submittedAmount !== undefined) expect(result.submits[0]).toBe(trace.expect.submittedAmount);
    for (const scan of trace.expect.scans) {
      if (pageFellBehind(result.arrivals)) {
        // A page too busy to keep up: the field may have shown the first digits for a moment,
        // but they were taken out again and nothing was submitted.
        expect(result.amountInputs.at(-1) ?? '').toBe('');
        continue;
      }
      // Not a single character of a scan reached the amount field or its key handlers.
      expect(result.amountInputs).toEqual([]);
      const scanChars = new Set(scan.split(''));
      expect(result.amountKeys.filter((k) => scanChars.has(k))).toEqual([]);
      expect(result.notesKeys.filter((k) => scanChars.has(k))).toEqual([]);
    }
  });

  it('gives typing to the field key by key, so the page sees what was typed', async () => {
    const result = await run(load('typist-enter.json'));
    expect(result.amountKeys).toEqual(['5', '0', '.', '0', '0', 'Enter']);
    expect(result.amountInputs).toEqual(['5', '50', '50.', '50.0', '50.00']);
  });

  it('measures the slow scanner at 45 ms and still calls it a scan', async () => {
    const result = await run(load('slow-scanner-45ms.json'));
    const gaps = result.scans[0]?.gaps ?? [];
    expect(Math.max(...gaps)).toBeGreaterThan(42);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(45.5);
  });

  it('still reads a scan when the page freezes for 250 ms in the middle of it, and the field ends clean', async () => {
    const result = await run(load('slow-scanner-45ms.json'), { stallAfter: 4, stallMs: 250 });
    expect(result.scans.map((s) => s.text)).toEqual(['123456789012']);
    expect(result.amount).toBe('');
    expect(result.submits).toEqual([]);
  });

  it('keeps a scan out of the amount field on a page that runs 200 ms behind its input', async () => {
    const result = await run(load('slow-scanner-45ms.json'), { lagMs: 200 });
    expect(result.scans.map((s) => s.text)).toEqual(['123456789012']);
    expect(result.amount).toBe('');
    if (!pageFellBehind(result.arrivals)) expect(result.amountInputs).toEqual([]);
  });

  it('learns a scanner from two test scans (calibration)', async () => {
    const { page, cdp } = await counterPage();
    try {
      await page.evaluate(() => {
        const w = globalThis as unknown as {
          scanners: { recordCalibrationScans(o: unknown): Promise<unknown> };
          wedge: { detach(): void };
          calibration: Promise<unknown>;
        };
        w.wedge.detach();
        w.calibration = w.scanners.recordCalibrationScans({ count: 2 });
      });
      const trace = load('slow-scanner-45ms.json');
      await playTrace(cdp, trace.events);
      await sleep(200);
      await playTrace(cdp, trace.events);
      const outcome = await page.evaluate(async () => {
        const w = globalThis as unknown as {
          scanners: { calibrateWedge(scans: unknown, base: unknown): unknown; DEFAULT_SCANNER_SETTINGS: { wedge: unknown } };
          calibration: Promise<unknown>;
        };
        const scans = await w.calibration;
        return w.scanners.calibrateWedge(scans, w.scanners.DEFAULT_SCANNER_SETTINGS.wedge);
      });
      expect(outcome).toMatchObject({ ok: true, observed: { scans: 2, suffix: 'Enter' }, settings: { requireSuffix: true } });
      const maxGapMs = (outcome as { settings: { maxGapMs: number } }).settings.maxGapMs;
      expect(maxGapMs).toBeGreaterThanOrEqual(64);
      expect(maxGapMs).toBeLessThanOrEqual(70);
      // Nothing typed during calibration reached the page.
      const after = await seen(page);
      expect(after.amount).toBe('');
      expect(after.notes).toBe('');
    } finally {
      await page.close();
    }
  });
});
