/**
 * Replay of a large offline queue: 10,000 queued redemptions over 1,000 cards against the
 * simulator (in its own process, like WeChat) with 20 ms of latency on every call. Prints the elapsed time and its ratio to the
 * serial lower bound (items × calls per item × 20 ms).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inTransaction } from '../src-main/journal/db.ts';
import { insertRedemption } from '../src-main/journal/redemptions.ts';
import { DEFAULT_REPLAY_CONCURRENCY, replayQueue } from '../src-main/redemption/offline.ts';
import { DEMO_MERCHANT_ID } from '../src-main/sim/index.ts';
import { openTerminal } from '../src-main/terminal.ts';
import { benchTerminalEnv, simPost, startSimProcess } from './stats.ts';

const ITEMS = Number(process.env.BENCH_REPLAY_ITEMS ?? 10_000);
const CARDS = Number(process.env.BENCH_REPLAY_CARDS ?? 1_000);
const LATENCY_MS = 20;
const CONCURRENCY = Number(process.env.BENCH_REPLAY_CONCURRENCY ?? DEFAULT_REPLAY_CONCURRENCY);

export default async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gcterm-bench-replay-'));
  const sim = await startSimProcess(join(dir, 'sim.db'));
  try {
    const post = (path: string, body: unknown) => simPost<{ code: string; cardId: string }>(sim.url, path, body);
    const cards: Array<{ code: string; cardId: string }> = [];
    for (let i = 0; i < CARDS; i++) cards.push(await post('/sim/cards', { balanceFen: 1_000_000, merchantId: DEMO_MERCHANT_ID }));

    const terminal = await openTerminal({
      dataDir: join(dir, 'terminal'),
      env: benchTerminalEnv(sim.url),
    });
    // The queue as an outage leaves it: oldest first, ten items per card, interleaved.
    const base = Date.now() - 3_600_000;
    inTransaction(terminal.db, () => {
      for (let i = 0; i < ITEMS; i++) {
        const card = cards[i % CARDS]!;
        insertRedemption(terminal.db, {
          id: randomUUID(),
          terminal_id: 'BENCH',
          cashier: 'bench',
          scanned_code: card.code,
          code_kind: 'card_code',
          scanned_at: base + i,
          created_at: base + i,
          amount_fen: 100,
          state: 'queued',
          offline: 1,
          real_code: card.code,
          card_id: card.cardId,
        });
      }
    });
    await terminal.client.getCard(cards[0]!.cardId); // token and definition cache as a running terminal has them
    await post('/sim/faults', { path: '*', kind: 'latency', latencyMs: LATENCY_MS });

    const started = performance.now();
    const report = await replayQueue(terminal.engine, terminal.connectivity, { concurrency: CONCURRENCY });
    const elapsedMs = performance.now() - started;
    await terminal.close();

    const callsPerItem = 2; // code/get + updateuser (card/get is cached)
    const serialBoundMs = ITEMS * callsPerItem * LATENCY_MS;
    console.log(`replay: ${ITEMS} queued redemptions over ${CARDS} cards, ${LATENCY_MS} ms latency per call, ${CONCURRENCY} codes at once`);
    console.log(`settled ${report.settled}, needs review ${report.needsReview}, remaining ${report.remaining}`);
    console.log(`elapsed ${(elapsedMs / 1000).toFixed(1)} s; serial lower bound ${(serialBoundMs / 1000).toFixed(0)} s (${ITEMS} × ${callsPerItem} × ${LATENCY_MS} ms)`);
    console.log(`ratio elapsed / serial bound: ${(elapsedMs / serialBoundMs).toFixed(3)}  (${(ITEMS / (elapsedMs / 1000)).toFixed(0)} items/s)`);
  } finally {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
