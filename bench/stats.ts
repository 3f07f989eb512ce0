/** Percentiles, formatting and set-up shared by the benchmarks. */
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
