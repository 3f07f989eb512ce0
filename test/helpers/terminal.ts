import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_LOCATION_ID, DEMO_MERCHANT_ID, SANDBOX_APPID, SANDBOX_SECRET } from '../../src-main/sim/index.ts';
import { openTerminal, type OpenTerminalOptions, type Terminal } from '../../src-main/terminal.ts';

export function tempDir(prefix = 'gcterm-test-'): Readonly<{ path: string; remove(): void }> {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Environment of a terminal talking to a given simulator as the demo store. */
export function terminalEnv(apiBase: string, dataDir: string, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return {
    GCTERM_DATA_DIR: dataDir,
    GCTERM_API_BASE: apiBase,
    GCTERM_APPID: SANDBOX_APPID,
    GCTERM_APPSECRET: SANDBOX_SECRET,
    GCTERM_LOCATION_ID: String(DEMO_LOCATION_ID),
    GCTERM_MERCHANT_ID: String(DEMO_MERCHANT_ID),
    GCTERM_TIMEOUT_MS: '2000',
    ...extra,
  };
}

export async function openTestTerminal(
  apiBase: string,
  dataDir: string,
  options: Omit<OpenTerminalOptions, 'env' | 'dataDir'> & { env?: Readonly<Record<string, string>> } = {},
): Promise<Terminal> {
  return openTerminal({
    ...options,
    dataDir,
    env: terminalEnv(apiBase, dataDir, options.env),
    engine: { backoffMs: () => 0, ...options.engine },
  });
}
