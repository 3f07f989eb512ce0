/**
 * Crash safety: the real CLI as a child process, SIGKILLed at each step boundary of a
 * redemption (and of a replay), then `gcterm recover`: exactly one deduction, every redemption
 * final, the journal chain intact.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_MERCHANT_ID } from '../../src-main/sim/index.ts';
import { closedPortUrl } from '../helpers/net.ts';
import { runGcterm as gcterm } from '../helpers/processes.ts';
import { deductions, quietCard, startTestSim, type TestSim } from '../helpers/sim.ts';
import { tempDir, terminalEnv } from '../helpers/terminal.ts';

let sim: TestSim;
let dir: ReturnType<typeof tempDir>;
let env: Record<string, string>;

beforeAll(async () => {
  sim = await startTestSim();
});
afterAll(async () => sim.close());
beforeEach(async () => {
  dir = tempDir();
  env = terminalEnv(sim.url, dir.path);
  await sim.clearFaults();
});
afterEach(() => dir.remove());

type JournalRow = Readonly<{ id: string; state: string; amountFen: number }>;

async function journal(): Promise<JournalRow[]> {
  const run = await gcterm(['journal', '--all', '--json'], env);
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as JournalRow[];
}

async function expectRecoveredExactlyOnce(card: { code: string }, initialFen: number, amountFen: number) {
  const recover = await gcterm(['recover', '--json'], env);
  expect(recover.code, recover.stderr).toBe(0);
  // A late copy of an absolute update may land too: harmless, it sets the same balance.
  const after = await quietCard(sim, card.code);
  expect(after.balanceFen).toBe(initialFen - amountFen);
  expect(new Set(deductions(after).map((d) => d.balanceFen))).toEqual(new Set([initialFen - amountFen]));
  const rows = await journal();
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ state: 'settled', amountFen });
  expect((await gcterm(['journal', 'verify'], env)).code).toBe(0);
}

describe('SIGKILL at every step of an online redemption, then recover', () => {
  it.each([
    ['journaled, before the lookup', 'after-pending', 20_000, '50'],
    ['journaled intent, before updateuser is sent', 'before-update-send', 20_000, '50'],
    ['updateuser sent, before its answer', 'update-sent', 20_000, '50'],
    ['answered, before the answer is journaled', 'after-update-answer', 20_000, '50'],
    ['card emptied, before consume', 'before-consume', 5_000, '50'],
    ['consumed, before the answer is journaled', 'after-consume-answer', 5_000, '50'],
  ] as const)('%s', async (_what, point, initialFen, amount) => {
    const card = await sim.createCard({ balanceFen: initialFen, merchantId: DEMO_MERCHANT_ID });
    if (point === 'update-sent') await sim.fault({ path: '/card/generalcard/updateuser', kind: 'latency', latencyMs: 600, times: 1 });
    const killed = await gcterm(['redeem', card.code, amount, '--json'], { ...env, GCTERM_CRASH_AT: point, GCTERM_CRASH_DELAY_MS: '150' });
    expect(killed.signal).toBe('SIGKILL');
    await expectRecoveredExactlyOnce(card, initialFen, 5_000);
    if (initialFen === 5_000) expect((await sim.code(card.code)).userCardStatus).toBe('CONSUMED');
  });
});

describe('SIGKILL during replay of the offline queue', () => {
  it.each(['before-update-send', 'after-update-answer'])('at %s: restart forwards each item exactly once', async (point) => {
    const card = await sim.createCard({ balanceFen: 20_000, merchantId: DEMO_MERCHANT_ID });
    expect((await gcterm(['lookup', card.code], env)).code).toBe(0);
    const offlineEnv = { ...env, GCTERM_API_BASE: await closedPortUrl() };
    const queued = await gcterm(['redeem', card.code, '50', '--json'], offlineEnv);
    expect(JSON.parse(queued.stdout)).toMatchObject({ state: 'queued' });
    const killed = await gcterm(['replay'], { ...env, GCTERM_CRASH_AT: point });
    expect(killed.signal).toBe('SIGKILL');
    expect((await gcterm(['recover'], env)).code).toBe(0);
    expect((await gcterm(['replay'], env)).code).toBe(0);
    await expectRecoveredExactlyOnce(card, 20_000, 5_000);
  });
});
