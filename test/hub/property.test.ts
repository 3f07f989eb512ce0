/**
 * A property test across counters: random interleavings of three counters (each its own data dir
 * and journal, enrolled at one of two hub processes on one PostgreSQL) redeeming on two cards,
 * with random faults: WeChat latency on updateuser, dropped answers after the write applied, a hub
 * process restarted mid-flight. After the faults clear and every counter recovers and replays:
 * every redemption is final, and each card's balance at WeChat is its initial balance minus what
 * was settled across all counters (a write left for review may or may not have landed: the
 * balance must be explained by some subset of those). A killed counter is covered end to end in
 * one-card.test.ts.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrolWithHub } from '../../src-main/hub/client.ts';
import { enrolmentCodeHash, newEnrolmentCode } from '../../src-main/hub/protocol.ts';
import { startHub, type RunningHub } from '../../src-main/hub/server.ts';
import { listRedemptions } from '../../src-main/journal/redemptions.ts';
import { replayQueue } from '../../src-main/redemption/offline.ts';
import { DEMO_MERCHANT_ID, SANDBOX_APPID, SANDBOX_SECRET } from '../../src-main/sim/index.ts';
import { openTerminal, type Terminal } from '../../src-main/terminal.ts';
import { createHttp } from '../../src-main/wechat/client.ts';
import { appSecretTokenProvider } from '../../src-main/wechat/tokens.ts';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { startTestSim, type TestSim } from '../helpers/sim.ts';

let postgres: TestPostgres;
let sim: TestSim;

beforeAll(async () => {
  [postgres, sim] = await Promise.all([startTestPostgres(), startTestSim()]);
});
afterAll(async () => {
  await sim?.close();
  await postgres?.close();
});

const FINAL = new Set(['settled', 'declined', 'needs_review', 'voided']);

type Op = Readonly<{ terminal: number; card: number; amountFen: number }>;
type Fault = 'none' | 'latency' | 'drop' | 'restart';

/** The subset sums of `amounts` (small lists only). */
function subsetSums(amounts: readonly number[]): Set<number> {
  let sums = new Set([0]);
  for (const a of amounts) sums = new Set([...sums, ...[...sums].map((s) => s + a)]);
  return sums;
}

describe('counters under random faults', () => {
  it('never lose an update, and every redemption ends final', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            fault: fc.constantFrom<Fault>('none', 'latency', 'drop', 'restart'),
            ops: fc.array(fc.record({ terminal: fc.integer({ min: 0, max: 2 }), card: fc.integer({ min: 0, max: 1 }), amountFen: fc.integer({ min: 100, max: 3000 }) }), {
              minLength: 1,
              maxLength: 3,
            }),
          }),
          { minLength: 2, maxLength: 3 },
        ),
        async (waves) => {
          const db = await postgres.createDatabase('prop');
          const tokens = () => appSecretTokenProvider(createHttp(sim.url, 5000), { appid: SANDBOX_APPID, secret: SANDBOX_SECRET });
          const hubs: RunningHub[] = [await startHub({ db, port: 0, tokens, poolSize: 6 }), await startHub({ db, port: 0, tokens, poolSize: 6 })];
          const ports = hubs.map((h) => Number(new URL(h.url).port));
          const terminals: Terminal[] = [];
          try {
            for (let i = 0; i < 3; i++) {
              const dataDir = mkdtempSync(join(tmpdir(), `gcterm-prop-T${i + 1}-`));
              const code = newEnrolmentCode();
              await hubs[0]?.store.createEnrolment(`T${i + 1}`, 'S1', enrolmentCodeHash(code));
              await enrolWithHub(dataDir, hubs[i % 2]?.url ?? '', code);
              terminals.push(
                await openTerminal({
                  dataDir,
                  env: { GCTERM_API_BASE: sim.url, GCTERM_MERCHANT_ID: String(DEMO_MERCHANT_ID), GCTERM_TIMEOUT_MS: '1500', GCTERM_HUB_TIMEOUT_MS: '1500', GCTERM_HUB_PUSH_MS: '60000' },
                  engine: { backoffMs: () => 20 },
                }),
              );
            }
            const cards = [await sim.createCard({ balanceFen: 50_000, merchantId: DEMO_MERCHANT_ID }), await sim.createCard({ balanceFen: 50_000, merchantId: DEMO_MERCHANT_ID })];
            // Known online first, so the offline rules can queue them while a hub is down.
            for (const terminal of terminals) for (const card of cards) await terminal.engine.lookup(card.code);

            for (const wave of waves) {
              await sim.clearFaults();
              if (wave.fault === 'latency') await sim.fault({ path: '/card/generalcard/updateuser', kind: 'latency', latencyMs: 300 });
              if (wave.fault === 'drop') await sim.fault({ path: '/card/generalcard/updateuser', kind: 'drop-after-apply', probability: 0.5 });
              const running = wave.ops.map((op: Op) =>
                terminals[op.terminal]?.engine.redeem({ code: cards[op.card]?.code ?? '', amount: { fen: op.amountFen }, cashier: `c${op.terminal}` }),
              );
              if (wave.fault === 'restart') {
                // One hub process goes away mid-flight and comes back on its port.
                const index = wave.ops.length % 2;
                await hubs[index]?.close();
                hubs[index] = await startHub({ db, port: ports[index], tokens, poolSize: 6 });
              }
              await Promise.all(running);
            }

            // Faults clear; every counter recovers and replays until nothing is open.
            await sim.clearFaults();
            for (let round = 0; round < 5; round++) {
              for (const terminal of terminals) {
                await terminal.engine.recover();
                await replayQueue(terminal.engine, terminal.connectivity, { backoffMs: () => 20 });
              }
              if (terminals.every((t) => listRedemptions(t.db, {}).every((r) => FINAL.has(r.state)))) break;
            }
            const rows = terminals.flatMap((t) => listRedemptions(t.db, {}));
            for (const row of rows) expect(FINAL, `${row.terminal_id} ${row.id} ${row.state}`).toContain(row.state);
            for (const card of cards) {
              const mine = rows.filter((r) => r.real_code === card.code);
              const settled = mine.filter((r) => r.state === 'settled').reduce((sum, r) => sum + r.amount_fen, 0);
              const review = mine.filter((r) => r.state === 'needs_review').map((r) => r.amount_fen);
              const balance = (await sim.code(card.code)).balanceFen;
              expect(subsetSums(review).has(50_000 - settled - balance), `card ${card.code}: balance ${balance}, settled ${settled}, review ${review.join(',')}`).toBe(true);
            }
          } finally {
            await sim.clearFaults();
            for (const terminal of terminals) await terminal.close();
            for (const hub of hubs) await hub.close().catch(() => undefined);
          }
        },
      ),
      { numRuns: 4, endOnFailure: true },
    );
  }, 240_000);
});
