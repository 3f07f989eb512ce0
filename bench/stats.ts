/** Percentiles, formatting and set-up shared by the benchmarks. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DEMO_LOCATION_ID, DEMO_MERCHANT_ID, SANDBOX_APPID, SANDBOX_SECRET } from '../src-main/sim/index.ts';

export function percentile(sortedOrNot: readonly number[], p: number): number {
  const sorted = [...sortedOrNot].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export const ms = (value: number) => `${value.toFixed(2)} ms`;

/** A terminal's environment for the demo store, talking to a simulator at `apiBase`. */
export const benchTerminalEnv = (apiBase: string): Record<string, string> => ({
  GCTERM_API_BASE: apiBase,
  GCTERM_APPID: SANDBOX_APPID,
  GCTERM_APPSECRET: SANDBOX_SECRET,
  GCTERM_LOCATION_ID: String(DEMO_LOCATION_ID),
  GCTERM_MERCHANT_ID: String(DEMO_MERCHANT_ID),
});

/** POSTs JSON to the simulator's admin API. */
export async function simPost<T>(simUrl: string, path: string, body: unknown): Promise<T> {
  const response = await fetch(`${simUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await response.json()) as T;
}

/**
 * The simulator in a process of its own, as WeChat is to a real terminal: its SQLite commits do
 * not stall the terminal's event loop, and it gets the machine's other core.
 */
export async function startSimProcess(dbPath: string): Promise<{ url: string; close(): Promise<void> }> {
  const child = spawn(process.execPath, [join(import.meta.dirname, '../bin/gcterm.js'), 'sim', '--port', '0', '--db', dbPath], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /URL:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    child.on('exit', (code) => reject(new Error(`simulator exited (${code}): ${out}`)));
  });
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
