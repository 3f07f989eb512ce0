/**
 * Property (issue 9): three engines on one data dir — each its own SQLite connection, its own
 * owner and lock file, its own in-process mutex, exactly as three processes would be — redeem
 * and void on a few cards at once, with random faults and latencies at the simulator. After
 * they stop and a fresh engine recovers: every redemption is final, nothing is left for review
 * as a conflict, each card at the simulator holds its initial balance less exactly what
 * settled, and the journal's chain verifies.
 *
 * And the same property with the guards removed (no card holds, no compare-and-set check on the
 * `deducting` commit) fails: the guards are what keeps it true.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FINAL_STATES } from '../../shared/contract.ts';
import { verifyChain } from '../../src-main/journal/events.ts';
import { listRedemptions } from '../../src-main/journal/redemptions.ts';
import { installFaultHooks } from '../../src-main/redemption/faults.ts';
import { DEMO_MERCHANT_ID } from '../../src-main/sim/index.ts';
import type { Terminal } from '../../src-main/terminal.ts';
import { startTestSim, type FaultSpec, type TestSim } from '../helpers/sim.ts';
import { openTestTerminal, tempDir } from '../helpers/terminal.ts';

const ENGINES = 3;
const CARDS = 2;

type Step = Readonly<{ kind: 'redeem'; card: number; amountFen: number }> | Readonly<{ kind: 'void'; pick: number }>;

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('redeem' as const), card: fc.nat(CARDS - 1), amountFen: fc.integer({ min: 100, max: 4_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('void' as const), pick: fc.nat(10) }) },
);

const fault: fc.Arbitrary<FaultSpec> = fc.oneof(
  fc.record({
    path: fc.constantFrom('/card/code/get', '/card/generalcard/updateuser'),
    kind: fc.constant('latency' as const),
    latencyMs: fc.integer({ min: 50, max: 400 }),
    times: fc.integer({ min: 1, max: 4 }),
  }),
  fc.record({
    path: fc.constant('/card/generalcard/updateuser'),
    kind: fc.constantFrom('drop-after-apply', 'busy-after-apply', 'busy-before-apply') as fc.Arbitrary<FaultSpec['kind']>,
    times: fc.integer({ min: 1, max: 2 }),
  }),
);

type Scenario = Readonly<{ plans: readonly (readonly Step[])[]; faults: readonly FaultSpec[] }>;

const scenario: fc.Arbitrary<Scenario> = fc.record({
  plans: fc.array(fc.array(step, { minLength: 1, maxLength: 4 }), { minLength: ENGINES, maxLength: ENGINES }),
  faults: fc.array(fault, { maxLength: 4 }),
});

let sim: TestSim;
beforeAll(async () => {
  sim = await startTestSim();
});
afterAll(async () => sim.close());
afterEach(() => installFaultHooks(null));

/** Runs one scenario; resolves to the invariant's violations (empty when it holds). */
async function run({ plans, faults }: Scenario): Promise<string[]> {
  const dir = tempDir();
  const dataDir = join(dir.path, 'data');
  await sim.clearFaults();
  const cards: Array<Readonly<{ code: string; cardId: string }>> = [];
  for (let i = 0; i < CARDS; i++) cards.push(await sim.createCard({ balanceFen: 8_000 + i * 4_000, merchantId: DEMO_MERCHANT_ID }));
  const initial = new Map(cards.map((c, i) => [c.code, 8_000 + i * 4_000]));
  const engines: Terminal[] = [];
  try {
    for (let i = 0; i < ENGINES; i++) engines.push(await openTestTerminal(sim.url, dataDir, { label: `engine ${i}` }));
    for (const card of cards) await engines[0]!.engine.lookup(card.code); // warm the token
    for (const f of faults) await sim.fault(f);
    await Promise.all(
      engines.map(async (terminal, i) => {
        for (const s of plans[i] ?? []) {
          if (s.kind === 'redeem') {
            await terminal.engine.redeem({ code: cards[s.card]!.code, amount: { fen: s.amountFen }, cashier: `c${i}` });
          } else {
            const settled = listRedemptions(terminal.db, { state: 'settled' });
            const target = settled[s.pick % Math.max(1, settled.length)];
            if (target) await terminal.engine.void(target.id, 'manager');
          }
        }
      }),
    );
  } finally {
    for (const terminal of engines) await terminal.close();
  }
  await sim.clearFaults();
  // A fresh start on the data dir: whatever the three left unfinished is resolved now.
  const after = await openTestTerminal(sim.url, dataDir);
  const problems: string[] = [];
  try {
    await after.engine.recover();
    const rows = listRedemptions(after.db);
    for (const row of rows) if (!FINAL_STATES.includes(row.state)) problems.push(`${row.id} left ${row.state}`);
    for (const row of rows) if (row.reason === 'balance_conflict' || row.reason === 'unexpected_result') problems.push(`${row.id} ${row.reason}`);
    for (const card of cards) {
      const settledFen = rows.filter((r) => r.real_code === card.code && r.state === 'settled').reduce((sum, r) => sum + r.amount_fen, 0);
      const balance = (await sim.code(card.code)).balanceFen;
      const expected = (initial.get(card.code) ?? 0) - settledFen;
      if (balance !== expected) problems.push(`card …${card.code.slice(-4)}: simulator ${balance}, journal says ${expected}`);
    }
    if (!verifyChain(after.db).ok) problems.push('chain does not verify');
  } finally {
    await after.close();
    dir.remove();
  }
  return problems;
}

describe('three engines on one data dir', () => {
  it('keep every card exactly once under random interleavings and faults', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        expect(await run(s)).toEqual([]);
      }),
      { numRuns: 25 },
    );
  });

  it('lose updates when the card holds and the compare-and-set check are removed', async () => {
    installFaultHooks({ weakenGuards: true });
    // Three redemptions on one card, with the lookup held up so all three read the same balance.
    const racing: Scenario = {
      plans: [[{ kind: 'redeem', card: 0, amountFen: 1_000 }], [{ kind: 'redeem', card: 0, amountFen: 2_000 }], [{ kind: 'redeem', card: 0, amountFen: 3_000 }]],
      faults: [{ path: '/card/code/get', kind: 'latency', latencyMs: 300, times: 3 }],
    };
    const problems = await run(racing);
    expect(problems.some((p) => p.includes('simulator'))).toBe(true);
    // And with the guards back, the very same race keeps the card exact.
    installFaultHooks(null);
    expect(await run(racing)).toEqual([]);
  });
});
