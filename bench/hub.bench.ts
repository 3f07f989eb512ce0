/**
 * The store hub (PostgreSQL, durable commits) on loopback:
 * - a lease round trip (acquire; acquire + release) p50/p99;
 * - PostgreSQL transactions per redemption (pg_stat_database, commits and rollbacks);
 * - redemptions per second with 8 counters over 1,000 cards through the hub, beside the same
 *   counters without a hub, in one run;
 * - 4 counters on one card: throughput and the longest wait (no starvation).
 * The simulator and the hub run in processes of their own, as they do for a real counter.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { enrolWithHub, HubClient, hubGuard, readHubEnrolment } from '../src-main/hub/client.ts';
import { enrolmentCodeHash, newEnrolmentCode } from '../src-main/hub/protocol.ts';
import { HubStore, openHubPool } from '../src-main/hub/store.ts';
import { DEMO_MERCHANT_ID } from '../src-main/sim/index.ts';
import { openTerminal, type Terminal } from '../src-main/terminal.ts';
import { startTestPostgres } from '../test/helpers/postgres.ts';
import { hubEnv, startHubProcess } from '../test/hub/helpers.ts';
import { benchTerminalEnv, ms, percentile, simPost, startSimProcess } from './stats.ts';

const CARDS = Number(process.env.BENCH_HUB_CARDS ?? 1000);
const PER_COUNTER = Number(process.env.BENCH_HUB_PER_COUNTER ?? 40);
const LEASES = Number(process.env.BENCH_HUB_LEASES ?? 500);

type Hub = Readonly<{ url: string; store: HubStore }>;

async function enrol(hub: Hub, dataDir: string, terminalId: string): Promise<void> {
  const code = newEnrolmentCode();
  await hub.store.createEnrolment(terminalId, 'BENCH', enrolmentCodeHash(code));
  await enrolWithHub(dataDir, hub.url, code);
}

async function xacts(db: string): Promise<number> {
  const client = new pg.Client(db);
  await client.connect();
  try {
    // Statistics are flushed at most once a second; force it so the figure is current.
    await client.query('SELECT pg_stat_force_next_flush()').catch(() => undefined);
    const { rows } = await client.query<{ n: string }>('SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()');
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

/** Each counter redeems `perCounter` times from `pick()`; answers redemptions/s and every latency. */
async function load(terminals: readonly Terminal[], perCounter: number, pick: () => string): Promise<{ perSecond: number; settled: number; latencies: number[] }> {
  const latencies: number[] = [];
  let settled = 0;
  const started = performance.now();
  await Promise.all(
    terminals.map(async (terminal) => {
      for (let i = 0; i < perCounter; i++) {
        const t0 = performance.now();
        const result = await terminal.engine.redeem({ code: pick(), amount: '0.01', cashier: 'bench' });
        latencies.push(performance.now() - t0);
        if (result.ok && result.value.state === 'settled') settled++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { perSecond: settled / seconds, settled, latencies };
}

export default async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gcterm-bench-hub-'));
  const postgres = await startTestPostgres({ durable: true });
  const sim = await startSimProcess(join(dir, 'sim.db'));
  const db = await postgres.createDatabase('bench');
  // The hub in a process of its own (`gcterm hub serve`), as it runs in a store.
  const hubProcess = await startHubProcess(hubEnv(sim.url, db));
  const pool = openHubPool(db, 2);
  const hub: Hub = { url: hubProcess.url, store: new HubStore(pool) };
  const opened: Terminal[] = [];
  try {
    // ---- lease round trip ----
    const leaseDir = join(dir, 'lease');
    await enrol(hub, leaseDir, 'L01');
    const enrolment = readHubEnrolment(leaseDir);
    if (!enrolment) throw new Error('not enrolled');
    const guard = hubGuard(new HubClient(enrolment));
    const acquireTimes: number[] = [];
    const pairTimes: number[] = [];
    for (let i = 0; i < LEASES; i++) {
      const t0 = performance.now();
      const hold = await guard.acquire({ key: `BENCH-${i % 100}`, redemptionId: `r${i}`, purpose: 'redeem', waitMs: 1000 });
      acquireTimes.push(performance.now() - t0);
      await hold.release();
      pairTimes.push(performance.now() - t0);
    }
    console.log(`lease on loopback (durable PostgreSQL, ${LEASES} leases): acquire p50 ${ms(percentile(acquireTimes, 50))}  p99 ${ms(percentile(acquireTimes, 99))}; acquire+release p50 ${ms(percentile(pairTimes, 50))}  p99 ${ms(percentile(pairTimes, 99))}  (aim: lease ≤ 2 ms p50)`);

    // ---- cards ----
    const codes: string[] = [];
    for (let i = 0; i < CARDS; i++) codes.push((await simPost<{ code: string }>(sim.url, '/sim/cards', { balanceFen: 100_000_000, merchantId: DEMO_MERCHANT_ID })).code);
    const pick = () => codes[Math.floor(Math.random() * codes.length)] ?? '';

    // ---- 8 counters, with and without the hub ----
    const env = benchTerminalEnv(sim.url);
    const alone: Terminal[] = [];
    const enrolled: Terminal[] = [];
    for (let i = 0; i < 8; i++) {
      const plain = join(dir, `alone-${i}`);
      const joined = join(dir, `hub-${i}`);
      await enrol(hub, joined, `C${String(i + 1).padStart(2, '0')}`);
      alone.push(await openTerminal({ dataDir: plain, env: { ...env, GCTERM_TERMINAL_ID: `A${i + 1}`, GCTERM_HUB_PUSH_MS: '1000' } }));
      enrolled.push(await openTerminal({ dataDir: joined, env: { ...env, GCTERM_HUB_PUSH_MS: '1000' } }));
    }
    opened.push(...alone, ...enrolled);
    // Warm tokens and card definitions, as running counters have them.
    for (const terminal of [...alone, ...enrolled]) await terminal.engine.redeem({ code: codes[0] ?? '', amount: '0.01', cashier: 'bench' });

    const withoutHub = await load(alone, PER_COUNTER, pick);
    const before = await xacts(db);
    const withHub = await load(enrolled, PER_COUNTER, pick);
    const after = await xacts(db);
    console.log(`8 counters over ${CARDS} cards, ${PER_COUNTER} redemptions each: without a hub ${withoutHub.perSecond.toFixed(1)}/s (p50 ${ms(percentile(withoutHub.latencies, 50))}), through the hub ${withHub.perSecond.toFixed(1)}/s (p50 ${ms(percentile(withHub.latencies, 50))})`);
    console.log(`hub throughput / alone: ${(withHub.perSecond / withoutHub.perSecond).toFixed(2)} (aim ≥ 0.70)`);
    console.log(`PostgreSQL transactions per redemption (nonce, lease, observe, release, journal push; autocommit statements count): ${((after - before) / Math.max(1, withHub.settled)).toFixed(2)}`);

    // ---- 4 counters on one card ----
    const oneCard = codes[1] ?? '';
    const contended = await load(enrolled.slice(0, 4), Math.max(5, Math.floor(PER_COUNTER / 2)), () => oneCard);
    console.log(
      `4 counters on one card: ${contended.perSecond.toFixed(1)} redemptions/s, ${contended.settled}/${contended.latencies.length} settled, wait+redeem p50 ${ms(percentile(contended.latencies, 50))}, longest ${ms(Math.max(...contended.latencies))}`,
    );
  } finally {
    for (const terminal of opened) await terminal.close().catch(() => undefined);
    await hubProcess.stop();
    await pool.end();
    await sim.close();
    await postgres.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
