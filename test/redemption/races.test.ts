/**
 * Exactly once when two things touch one card on one PC (issue 9): real gcterm processes on one
 * data dir racing each other, paused at named step boundaries so the race is the one described,
 * not a lucky timing. Each test ends by counting the simulator's deductions.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { DEMO_MERCHANT_ID } from '../../src-main/sim/index.ts';
import { pausePoint, runGcterm, startGcterm } from '../helpers/processes.ts';
import { until } from '../helpers/until.ts';
import { deductions, startTestSim, type TestSim } from '../helpers/sim.ts';
import { openTestTerminal, tempDir, terminalEnv } from '../helpers/terminal.ts';

let sim: TestSim;
let dir: ReturnType<typeof tempDir>;
let env: Record<string, string>;

beforeAll(async () => {
  sim = await startTestSim();
});
afterAll(async () => sim.close());
beforeEach(async () => {
  dir = tempDir();
  env = terminalEnv(sim.url, join(dir.path, 'data'), { GCTERM_TIMEOUT_MS: '5000' });
  await sim.clearFaults();
});
afterEach(() => dir.remove());

const giftCard = (balanceFen: number) => sim.createCard({ balanceFen, merchantId: DEMO_MERCHANT_ID });

type JournalRow = Readonly<{ id: string; state: string; amountFen: number; balanceBeforeFen: number | null; balanceAfterFen: number | null }>;

async function journal(): Promise<JournalRow[]> {
  const run = await runGcterm(['journal', '--all', '--json'], env);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as JournalRow[];
}

function events(kind: string): Array<{ redemption_id: string | null; data: string }> {
  const db = new Database(join(env.GCTERM_DATA_DIR ?? '', 'journal.db'), { readonly: true });
  try {
    return db.prepare('SELECT redemption_id, data FROM events WHERE kind = ? ORDER BY seq').all(kind) as Array<{ redemption_id: string | null; data: string }>;
  } finally {
    db.close();
  }
}

describe('recovery never touches a redemption a live process is working on', () => {
  it.each([
    ['journaled, looking the card up', 'after-pending'],
    ['intent committed, about to send updateuser', 'before-update-send'],
  ])('`gcterm recover` while a `gcterm redeem` is %s: one deduction', async (_what, point) => {
    const card = await giftCard(50_000);
    const pause = pausePoint(dir.path, point);
    const live = startGcterm(['redeem', card.code, '35', '--json'], { ...env, ...pause.env });
    await pause.reached();

    const recover = await runGcterm(['recover'], env);
    expect(recover.code, recover.stderr).toBe(0);
    // It saw the row and left it to its owner, naming who holds it.
    expect(recover.stdout).toMatch(/gcterm redeem \(pid \d+\)/);

    pause.release();
    const done = await live.exited;
    expect(done.code, done.stderr).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({ state: 'settled', balanceAfterFen: 46_500 });
    const after = await sim.code(card.code);
    expect(after.balanceFen).toBe(46_500);
    expect(deductions(after)).toHaveLength(1);
    expect((await runGcterm(['journal', 'verify'], env)).code).toBe(0);
  });

  it('`gcterm serve` starting during a CLI redemption leaves it to the CLI: one deduction', async () => {
    const card = await giftCard(50_000);
    const pause = pausePoint(dir.path, 'before-update-send');
    const live = startGcterm(['redeem', card.code, '35', '--json'], { ...env, ...pause.env });
    await pause.reached();

    const server = startGcterm(['serve', '--port', '0'], { ...env, GCTERM_LOG_LEVEL: 'info' });
    try {
      // The server's start-up recovery has run when it says whose row it left alone.
      await until(() => /left to its owner: .* held by gcterm redeem \(pid \d+\)/.test(server.output()), 'the server to leave the row to its owner', 30_000);
      pause.release();
      const done = await live.exited;
      expect(done.code, done.stderr).toBe(0);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    const after = await sim.code(card.code);
    expect(after.balanceFen).toBe(46_500);
    expect(deductions(after)).toHaveLength(1);
  });

  it("a killed redemption's row is taken over explicitly (journaled) and finished exactly once", async () => {
    const card = await giftCard(50_000);
    const killed = await runGcterm(['redeem', card.code, '35', '--json'], { ...env, GCTERM_CRASH_AT: 'before-update-send' });
    expect(killed.signal).toBe('SIGKILL');
    const recover = await runGcterm(['recover', '--json'], env);
    expect(recover.code, recover.stderr).toBe(0);
    expect(JSON.parse(recover.stdout)).toEqual([expect.objectContaining({ state: 'settled', balanceAfterFen: 46_500 })]);
    const takeovers = events('takeover').map((e) => JSON.parse(e.data) as { why: string });
    expect(takeovers).toEqual([expect.objectContaining({ why: 'owner process ended' })]);
    expect(deductions(await sim.code(card.code))).toHaveLength(1);
  });
});

describe('two processes on one card in one data dir', () => {
  it('the second waits for the first and deducts from the balance the first left: no lost update', async () => {
    const card = await giftCard(50_000);
    const pause = pausePoint(dir.path, 'before-update-send');
    const first = startGcterm(['redeem', card.code, '35', '--json'], { ...env, ...pause.env });
    await pause.reached();
    // The second holds the card only once the first lets go: it cannot have read ¥500 and then
    // set its own target over the first's.
    const second = startGcterm(['redeem', card.code, '20', '--json'], { ...env, GCTERM_LOG_LEVEL: 'info' });
    await until(() => /waiting for the card held by gcterm redeem \(pid \d+\)/.test(second.output()), 'the second to wait for the card', 30_000);
    pause.release();
    const [a, b] = await Promise.all([first.exited, second.exited]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(JSON.parse(b.stdout)).toMatchObject({ state: 'settled', balanceBeforeFen: 46_500, balanceAfterFen: 44_500 });
    const after = await sim.code(card.code);
    expect(after.balanceFen).toBe(44_500);
    expect(deductions(after).map((d) => d.balanceFen)).toEqual([46_500, 44_500]);
  });

  it('with latency on the lookup, both settle in turn and the card holds initial − both amounts', async () => {
    const card = await giftCard(50_000);
    await runGcterm(['lookup', card.code], env); // warms the token
    await sim.fault({ path: '/card/code/get', kind: 'latency', latencyMs: 1_500, times: 2 });
    const [a, b] = await Promise.all([runGcterm(['redeem', card.code, '35', '--json'], env), runGcterm(['redeem', card.code, '20', '--json'], env)]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const rows = (await journal()).filter((r) => r.state === 'settled');
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((r) => r.balanceBeforeFen)).size).toBe(2); // never the same stale read
    expect((await sim.code(card.code)).balanceFen).toBe(50_000 - 3_500 - 2_000);
  });

  it('the second is refused after a bounded wait, naming who holds the card, and nothing moves for it', async () => {
    const card = await giftCard(50_000);
    const pause = pausePoint(dir.path, 'before-update-send');
    const first = startGcterm(['redeem', card.code, '35', '--json'], { ...env, ...pause.env });
    await pause.reached();
    const second = await runGcterm(['redeem', card.code, '20', '--json', '--lang', 'en'], { ...env, GCTERM_CARD_WAIT_MS: '300' });
    expect(second.code).toBe(2);
    expect(JSON.parse(second.stdout)).toMatchObject({ state: 'declined', reason: 'card_held' });
    expect(second.stdout).toMatch(/in use at gcterm redeem \(pid \d+\)/);
    pause.release();
    expect((await first.exited).code).toBe(0);
    expect((await sim.code(card.code)).balanceFen).toBe(46_500);
  });
});

describe('a background resolution racing a slow live redemption in the same process', () => {
  it('leaves the live row alone: one deduction', async () => {
    const terminal = await openTestTerminal(sim.url, join(dir.path, 'inproc'), { env: { GCTERM_TIMEOUT_MS: '5000' } });
    try {
      const card = await giftCard(50_000);
      await terminal.engine.lookup(card.code);
      await sim.fault({ path: '/card/code/get', kind: 'latency', latencyMs: 1_000, times: 1 });
      const live = terminal.engine.redeem({ code: card.code, amount: '35', cashier: 'alice' });
      // While the lookup is held up: the background job, with no minimum age at all.
      await until(async () => (await sim.requests()).some((r) => r.path.endsWith('/code/get') && (r.body as { code?: string }).code === card.code), 'the live lookup to be sent');
      const background = await terminal.engine.recover({ olderThanMs: 0 });
      expect(background).toEqual([]);
      const result = await live;
      expect(result.ok && result.value.state).toBe('settled');
      expect(deductions(await sim.code(card.code))).toHaveLength(1);
    } finally {
      await terminal.close();
    }
  });
});

describe('the journal fails after the money moved', () => {
  it.each([
    ['a full disk', 'SQLITE_FULL'],
    ['an I/O error', 'SQLITE_IOERR'],
  ])('%s after updateuser answered: exit 4 "outcome unknown", then recover settles it exactly once', async (_what, code) => {
    const card = await giftCard(50_000);
    const run = await runGcterm(['redeem', card.code, '35', '--json'], { ...env, GCTERM_STORAGE_FAIL_AT: 'after-update-answer', GCTERM_STORAGE_FAIL_CODE: code });
    expect(run.code, run.stderr).toBe(4);
    expect(JSON.parse(run.stdout)).toMatchObject({ state: 'deducting', reason: 'outcome_unknown' });
    expect(run.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    expect((await sim.code(card.code)).balanceFen).toBe(46_500);
    const recover = await runGcterm(['recover', '--json'], env);
    expect(recover.code, recover.stderr).toBe(0);
    expect(JSON.parse(recover.stdout)).toEqual([expect.objectContaining({ state: 'settled', balanceAfterFen: 46_500 })]);
    expect(deductions(await sim.code(card.code))).toHaveLength(1);
  });

  it('before anything was sent: refused, nothing deducted, exit 1', async () => {
    const card = await giftCard(50_000);
    const run = await runGcterm(['redeem', card.code, '35', '--json'], { ...env, GCTERM_STORAGE_FAIL_AT: 'after-pending' });
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: 'journal_unavailable' });
    expect(deductions(await sim.code(card.code))).toHaveLength(0);
  });
});
