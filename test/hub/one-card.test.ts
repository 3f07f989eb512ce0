/**
 * One card, several counters: separate `gcterm redeem` processes with their own data dirs,
 * enrolled at a hub process on a throwaway PostgreSQL, against the simulator with latency on
 * `updateuser` (the window in which two counters used to both "win"). The invariant a store
 * cares about: the card's balance at WeChat = initial − everything settled, across all counters.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubClient, hubGuard, readHubEnrolment } from '../../src-main/hub/client.ts';
import { DEMO_MERCHANT_ID } from '../../src-main/sim/index.ts';
import { gcterm } from '../cli/run-gcterm.ts';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { deductions, startTestSim, type TestSim } from '../helpers/sim.ts';
import { enrolCounter, hubEnv, spawnGcterm, startHubProcess, until, type HubProcess } from './helpers.ts';

let postgres: TestPostgres;
let sim: TestSim;
let db: string;
let hubs: HubProcess[] = [];
const counters = new Map<string, string>();
const IDS = ['T01', 'T02', 'T03', 'T04'];

const counterEnv = (terminal: string, extra: Readonly<Record<string, string>> = {}) => ({
  GCTERM_API_BASE: sim.url,
  GCTERM_MERCHANT_ID: String(DEMO_MERCHANT_ID),
  GCTERM_DATA_DIR: counters.get(terminal) ?? '',
  GCTERM_TIMEOUT_MS: '3000',
  GCTERM_HUB_PUSH_MS: '60000',
  ...extra,
});
const run = (terminal: string, args: readonly string[], extra: Readonly<Record<string, string>> = {}) => gcterm(['--json', ...args], counterEnv(terminal, extra));
const parse = (stdout: string) => JSON.parse(stdout) as { state: string; amountFen: number; reason: string | null; id: string };

beforeAll(async () => {
  [postgres, sim] = await Promise.all([startTestPostgres(), startTestSim()]);
  db = await postgres.createDatabase('onecard');
  const env = hubEnv(sim.url, db);
  // Two hub processes on one database: counters split between them.
  hubs = await Promise.all([startHubProcess(env), startHubProcess(env)]);
  await Promise.all(IDS.map(async (id, i) => counters.set(id, await enrolCounter(hubs[i % 2]?.url ?? '', db, id, { GCTERM_API_BASE: sim.url }))));
});
afterAll(async () => {
  await Promise.all(hubs.map((h) => h.stop()));
  await sim?.close();
  await postgres?.close();
});

describe('one writer per card across counters', () => {
  it('concurrent redemptions on one card at four counters (two hub processes) never lose an update', async () => {
    const card = await sim.createCard({ balanceFen: 20_000, merchantId: DEMO_MERCHANT_ID });
    await sim.fault({ path: '/card/generalcard/updateuser', kind: 'latency', latencyMs: 400 });
    try {
      const amounts = [['12.00', '7.50'], ['30.00', '5.00'], ['9.99', '20.00'], ['15.00', '1.01']];
      const results = await Promise.all(
        IDS.map(async (id, i) => {
          const rows = [];
          for (const amount of amounts[i] ?? []) rows.push(parse((await run(id, ['redeem', card.code, amount])).stdout));
          return rows;
        }),
      );
      const rows = results.flat();
      for (const row of rows) expect(['settled', 'declined']).toContain(row.state);
      const settled = rows.filter((r) => r.state === 'settled');
      expect(settled.length).toBeGreaterThan(0);
      const after = await sim.code(card.code);
      expect(after.balanceFen).toBe(20_000 - settled.reduce((sum, r) => sum + r.amountFen, 0));
      expect(deductions(after)).toHaveLength(settled.length);
    } finally {
      await sim.clearFaults();
    }
  });

  it('a dynamic code used at one counter is refused at the others', async () => {
    const card = await sim.createCard({ balanceFen: 10_000, merchantId: DEMO_MERCHANT_ID, useDynamicCode: true });
    const { dynamicCode } = await sim.dynamic(card.code);
    const first = parse((await run('T01', ['redeem', dynamicCode, '10'])).stdout);
    expect(first.state).toBe('settled');
    for (const other of ['T02', 'T03']) {
      const again = parse((await run(other, ['redeem', dynamicCode, '10'])).stdout);
      expect(again.state).toBe('declined');
    }
    expect((await sim.code(card.code)).balanceFen).toBe(9_000);
  });

  it('a counter killed while holding the lease stops blocking after the TTL, and its redemption is resolved exactly once', async () => {
    const card = await sim.createCard({ balanceFen: 10_000, merchantId: DEMO_MERCHANT_ID });
    expect((await run('T01', ['lookup', card.code])).stdout).toContain('balanceFen');
    await sim.fault({ path: '/card/generalcard/updateuser', kind: 'latency', latencyMs: 1000, times: 1 });
    const client = new pg.Client(db);
    await client.connect();
    try {
      const doomed = spawnGcterm(['--json', 'redeem', card.code, '25'], counterEnv('T01', { GCTERM_HUB_LEASE_TTL_MS: '6000' }));
      // The write is on its way (the hub has the balance it is about to set): the PC loses power.
      await until(
        async () => (await client.query("SELECT 1 FROM hub_lease_log WHERE card_key = $1 AND terminal_id = 'T01' AND balance_set_fen IS NOT NULL", [card.code])).rowCount === 1,
        20_000,
        'the lease holder to record the balance it sets',
      );
      doomed.child.kill('SIGKILL');
      const killed = await doomed.done;
      expect(killed.signal).toBe('SIGKILL');
      // Another counter redeems the same card: it waits out the TTL, then goes on from the balance WeChat has.
      const started = Date.now();
      const next = parse((await run('T02', ['redeem', card.code, '10'])).stdout);
      expect(next.state).toBe('settled');
      expect(Date.now() - started).toBeLessThan(15_000);
      // The killed counter, restarted, resolves its interrupted redemption from what WeChat says.
      const recovered = await run('T01', ['recover']);
      const rows = JSON.parse(recovered.stdout) as Array<{ id: string; state: string; amountFen: number }>;
      expect(rows).toHaveLength(1);
      // The card moved since (T02), so WeChat's balance alone cannot tell; the hub can — the next
      // holder read exactly the balance the killed counter was setting — so it is settled.
      expect(rows[0]).toMatchObject({ state: 'settled', amountFen: 2_500 });
      const enrolment = readHubEnrolment(counters.get('T01') ?? '');
      if (!enrolment) throw new Error('T01 not enrolled');
      const history = await hubGuard(new HubClient(enrolment)).resolveInterrupted(card.code, rows[0]?.id ?? '');
      expect(history).toMatchObject({ outcome: 'applied', balanceBeforeFen: 10_000, balanceSetFen: 7_500, nextObservedFen: 7_500 });
      const after = await sim.code(card.code);
      expect(after.balanceFen).toBe(10_000 - 2500 - 1000);
      expect(deductions(after)).toHaveLength(2);
      // Recovering again changes nothing.
      expect(JSON.parse((await run('T01', ['recover'])).stdout)).toEqual([]);
      expect((await sim.code(card.code)).balanceFen).toBe(6_500);
    } finally {
      await client.end();
      await sim.clearFaults();
    }
  });
});
