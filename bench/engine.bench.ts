/**
 * Online redemptions against the simulator with no injected latency: the engine's time per
 * redemption (p50/p99) beside the time of one durable SQLite commit (WAL, synchronous=FULL)
 * measured in the same run on the same disk, and the engine's cost beyond its HTTP round trips
 * expressed in commits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openJournal } from '../src-main/journal/db.ts';
import { installFaultHooks } from '../src-main/redemption/faults.ts';
import { DEMO_MERCHANT_ID, startSimulator } from '../src-main/sim/index.ts';
import { openTerminal } from '../src-main/terminal.ts';
import { benchTerminalEnv, ms, percentile, simPost } from './stats.ts';

const REDEMPTIONS = Number(process.env.BENCH_REDEMPTIONS ?? 400);

export default async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gcterm-bench-'));
  const sim = await startSimulator({ port: 0, dbPath: join(dir, 'sim.db') });
  try {
    // One durable commit, as the journal makes them.
    const db = openJournal(join(dir, 'commit-probe.db'));
    db.exec('CREATE TABLE probe (id INTEGER PRIMARY KEY, payload TEXT)');
    const insert = db.prepare('INSERT INTO probe (payload) VALUES (?)');
    const commitTimes: number[] = [];
    for (let i = 0; i < 300; i++) {
      const started = performance.now();
      db.transaction(() => insert.run('x'.repeat(200))).immediate();
      commitTimes.push(performance.now() - started);
    }
    db.close();

    const terminal = await openTerminal({
      dataDir: join(dir, 'terminal'),
      env: benchTerminalEnv(sim.url),
    });
    const admin = (path: string, body: unknown) => simPost<{ code: string }>(sim.url, path, body);
    const codes: string[] = [];
    for (let i = 0; i < 50; i++) codes.push((await admin('/sim/cards', { balanceFen: 100_000_000, merchantId: DEMO_MERCHANT_ID })).code);

    // The bare HTTP round trip of a lookup, the engine's unavoidable cost per call.
    const rtt: number[] = [];
    for (let i = 0; i < 200; i++) {
      const started = performance.now();
      await terminal.client.getCode({ code: codes[i % codes.length] ?? '' });
      rtt.push(performance.now() - started);
    }
    // And of an updateuser, which the simulator itself commits to its SQLite file.
    const writeRtt: number[] = [];
    const { cardId } = (await (await fetch(`${sim.url}/sim/codes/${codes[0]}`)).json()) as { cardId: string };
    for (let i = 0; i < 200; i++) {
      const started = performance.now();
      await terminal.client.updateUser({ code: codes[0] ?? '', cardId, balanceFen: 100_000_000, recordBalance: 'bench' });
      writeRtt.push(performance.now() - started);
    }
    // Warm the card definition cache and the token, as a running terminal has them.
    await terminal.engine.redeem({ code: codes[0] ?? '', amount: '1', cashier: 'bench' });

    // Count the durable commits (BEGIN IMMEDIATE … COMMIT) the engine makes.
    let commits = 0;
    const transaction = terminal.db.transaction.bind(terminal.db);
    const changes = terminal.db.prepare('SELECT total_changes()').pluck();
    (terminal.db as { transaction: typeof transaction }).transaction = ((fn: Parameters<typeof transaction>[0]) => {
      const wrapped = transaction(fn);
      return {
        immediate: (...args: unknown[]) => {
          // A transaction that changed rows is a durable commit; a read in a transaction is not.
          const before = changes.get() as number;
          const result = wrapped.immediate(...(args as []));
          if ((changes.get() as number) > before) commits++;
          return result;
        },
      };
    }) as typeof transaction;

    const measure = async (count: number): Promise<{ times: number[]; settled: number; commits: number }> => {
      const before = commits;
      const times: number[] = [];
      let settled = 0;
      for (let i = 0; i < count; i++) {
        const started = performance.now();
        const result = await terminal.engine.redeem({ code: codes[i % codes.length] ?? '', amount: '1.23', cashier: 'bench' });
        times.push(performance.now() - started);
        if (result.ok && result.value.state === 'settled') settled++;
      }
      return { times, settled, commits: (commits - before) / count };
    };
    // Interleaved halves with and without the card holds, so a noisy machine hits both alike.
    const guarded: number[] = [];
    const bare: number[] = [];
    let settled = 0;
    let guardedCommits = 0;
    let bareCommits = 0;
    const rounds = 4;
    for (let round = 0; round < rounds; round++) {
      const a = await measure(REDEMPTIONS / rounds);
      guarded.push(...a.times);
      settled += a.settled;
      guardedCommits += a.commits / rounds;
      installFaultHooks({ weakenGuards: true });
      const b = await measure(REDEMPTIONS / rounds / 2);
      installFaultHooks(null);
      bare.push(...b.times);
      bareCommits += b.commits / rounds;
    }
    const times = guarded;
    await terminal.close();

    const commit = percentile(commitTimes, 50);
    const p50 = percentile(times, 50);
    const p99 = percentile(times, 99);
    const roundTrip = percentile(rtt, 50);
    const writeTrip = percentile(writeRtt, 50);
    // Per redemption: code/get + updateuser (card/get is cached).
    const beyondHttp = p50 - roundTrip - writeTrip;
    console.log(`online redemptions: ${settled}/${REDEMPTIONS} settled, simulator with no latency`);
    console.log(`engine per redemption: p50 ${ms(p50)}  p99 ${ms(p99)}`);
    console.log(`durable SQLite commit (WAL, synchronous=FULL): p50 ${ms(commit)}  p99 ${ms(percentile(commitTimes, 99))}`);
    console.log(`HTTP round trips: code/get p50 ${ms(roundTrip)}, updateuser p50 ${ms(writeTrip)}`);
    console.log(`ratio engine p50 / commit p50: ${(p50 / commit).toFixed(2)}`);
    console.log(`engine beyond its 2 HTTP round trips: ${ms(beyondHttp)} = ${(beyondHttp / commit).toFixed(2)} commits (aim ≤ ~5)`);
    console.log(`durable commits per online redemption: ${guardedCommits.toFixed(2)} (of which the card hold taken and released: ${(guardedCommits - bareCommits).toFixed(2)})`);
    const bareP50 = percentile(bare, 50);
    console.log(`ownership and card holds per redemption: p50 ${ms(p50 - bareP50)} (${ms(p50)} with, ${ms(bareP50)} without; ratio ${(p50 / bareP50).toFixed(2)})`);
  } finally {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
