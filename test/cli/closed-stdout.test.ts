/**
 * A reader that goes away must not turn a committed redemption into a crash:
 * `gcterm redeem … | head -1` and a stdout closed before the first line both exit with the
 * redemption's status (0 approved), no EPIPE stack, and the card is deducted exactly once.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_MERCHANT_ID } from '../../src-main/sim/index.ts';
import { deductions, startTestSim, type TestSim } from '../helpers/sim.ts';
import { tempDir, terminalEnv } from '../helpers/terminal.ts';

const BIN = join(import.meta.dirname, '../../bin/gcterm.js');

let sim: TestSim;
let dir: ReturnType<typeof tempDir>;
let env: Record<string, string>;

beforeAll(async () => {
  sim = await startTestSim();
});
afterAll(async () => sim.close());
beforeEach(() => {
  dir = tempDir();
  env = terminalEnv(sim.url, dir.path);
});
afterEach(() => dir.remove());

type Ended = Readonly<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;

function ended(child: ReturnType<typeof spawn>): Promise<Ended> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe('a closed stdout', () => {
  it('closed before the first line: the redemption is approved, exit 0, no EPIPE', async () => {
    const card = await sim.createCard({ balanceFen: 10_000, merchantId: DEMO_MERCHANT_ID });
    for (const args of [['redeem', card.code, '10'], ['redeem', card.code, '5', '--json']]) {
      const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      // The reading end goes away at once: every line the command writes meets EPIPE.
      child.stdout.destroy();
      const result = await ended(child);
      expect(result.stderr).not.toContain('EPIPE');
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect([args.join(' '), result.code, result.signal]).toEqual([args.join(' '), 0, null]);
    }
    const after = await sim.code(card.code);
    expect(after.balanceFen).toBe(10_000 - 1_500);
    expect(deductions(after)).toHaveLength(2);
  });

  it('`gcterm redeem … | head -1`: the cashier sees the first line and the exit status is the redemption\'s', async () => {
    const card = await sim.createCard({ balanceFen: 10_000, merchantId: DEMO_MERCHANT_ID });
    const script = `'${process.execPath}' '${BIN}' --lang en redeem ${card.code} 12.50 | head -1; echo "status \${PIPESTATUS[0]}"`;
    const result = await ended(spawn('bash', ['-c', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }));
    expect(result.stdout).toBe('✔ APPROVED ¥12.50, balance ¥87.50\nstatus 0\n');
    expect(result.stderr).toBe('');
    expect(deductions(await sim.code(card.code))).toHaveLength(1);
  });
});
