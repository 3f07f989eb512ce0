/**
 * Property: whatever mix of redemptions, voids, lookups, injected faults and offline periods,
 * after recovery and replay every redemption is final, no card was ever asked to go negative,
 * and each card's balance at the simulator is its initial balance less exactly the settled
 * amounts (voided ones given back).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINAL_STATES } from '../../shared/contract.ts';
import { verifyChain } from '../../src-main/journal/events.ts';
import { listRedemptions } from '../../src-main/journal/redemptions.ts';
import { replayQueue } from '../../src-main/redemption/offline.ts';
import { DEMO_MERCHANT_ID } from '../../src-main/sim/index.ts';
import type { Terminal } from '../../src-main/terminal.ts';
import { closedPortUrl } from '../helpers/net.ts';
import { startTestSim, type FaultSpec, type TestSim } from '../helpers/sim.ts';
import { openTestTerminal, tempDir } from '../helpers/terminal.ts';

type Action =
  | Readonly<{ kind: 'redeem'; card: number; amountFen: number }>
  | Readonly<{ kind: 'void'; pick: number }>
  | Readonly<{ kind: 'lookup'; card: number }>
  | Readonly<{ kind: 'fault'; fault: FaultSpec }>
  | Readonly<{ kind: 'offline' }>
  | Readonly<{ kind: 'online' }>
  | Readonly<{ kind: 'replay' }>;

const CARDS = 3;
const WRITE_PATHS = ['/card/generalcard/updateuser', '/card/code/consume'] as const;

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('redeem' as const), card: fc.nat(CARDS - 1), amountFen: fc.integer({ min: 1, max: 6_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('void' as const), pick: fc.nat(20) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('lookup' as const), card: fc.nat(CARDS - 1) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('fault' as const),
      fault: fc.record({
        path: fc.constantFrom(...WRITE_PATHS, '/card/code/get'),
        kind: fc.constantFrom('drop-after-apply', 'busy-after-apply', 'busy-before-apply', 'http500', 'quota', 'rate-limit') as fc.Arbitrary<FaultSpec['kind']>,
        times: fc.integer({ min: 1, max: 2 }),
      }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'offline' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'online' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'replay' as const }) },
);

let sim: TestSim;
let downUrl: string;

beforeAll(async () => {
  sim = await startTestSim();
  downUrl = await closedPortUrl();
});
afterAll(async () => sim.close());

describe('exactly once under random faults and outages', () => {
  it('holds for random sequences', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 5, maxLength: 30 }), async (actions) => {
        const dir = tempDir();
        await sim.clearFaults();
        await sim.clearRequests();
        const cards = [];
        for (let i = 0; i < CARDS; i++) cards.push(await sim.createCard({ balanceFen: 10_000 + i * 5_000, merchantId: DEMO_MERCHANT_ID }));
        const initial = new Map(cards.map((c, i) => [c.code, 10_000 + i * 5_000]));
        let terminal: Terminal = await openTestTerminal(sim.url, dir.path);
        const switchTo = async (url: string) => {
          await terminal.close();
          terminal = await openTestTerminal(url, dir.path);
        };
        try {
          // The terminal knows every card from an online lookup, so offline periods can queue.
          for (const card of cards) await terminal.engine.lookup(card.code);
          for (const step of actions) {
            switch (step.kind) {
              case 'redeem':
                await terminal.engine.redeem({ code: cards[step.card]!.code, amount: { fen: step.amountFen }, cashier: 'prop' });
                break;
              case 'void': {
                const settled = listRedemptions(terminal.db, { state: 'settled' });
                const target = settled[step.pick % Math.max(1, settled.length)];
                if (target) await terminal.engine.void(target.id, 'manager');
                break;
              }
              case 'lookup':
                await terminal.engine.lookup(cards[step.card]!.code);
                break;
              case 'fault':
                await sim.fault(step.fault);
                break;
              case 'offline':
                await switchTo(downUrl);
                break;
              case 'online':
                await switchTo(sim.url);
                break;
              case 'replay':
                await replayQueue(terminal.engine, terminal.connectivity, { backoffMs: () => 0 });
                break;
            }
          }
          // The network comes back for good: recover, then drain the queue.
          await sim.clearFaults();
          await switchTo(sim.url);
          await terminal.engine.recover();
          await replayQueue(terminal.engine, terminal.connectivity, { backoffMs: () => 0 });

          const rows = listRedemptions(terminal.db);
          for (const row of rows) expect(FINAL_STATES, `${row.id} ${row.state} ${row.reason}`).toContain(row.state);
          // Nobody else writes these cards, so nothing can be a conflict.
          expect(rows.filter((r) => r.reason === 'balance_conflict' || r.reason === 'unexpected_result')).toEqual([]);
          for (const card of cards) {
            const settledFen = rows.filter((r) => r.real_code === card.code && r.state === 'settled').reduce((sum, r) => sum + r.amount_fen, 0);
            expect((await sim.code(card.code)).balanceFen).toBe((initial.get(card.code) ?? 0) - settledFen);
          }
          const writes = (await sim.requests()).filter((r) => r.path === '/card/generalcard/updateuser');
          for (const write of writes) expect((write.body as { balance: number }).balance).toBeGreaterThanOrEqual(0);
          expect(verifyChain(terminal.db).ok).toBe(true);
        } finally {
          await terminal.close();
          dir.remove();
        }
      }),
      { numRuns: 30 },
    );
  });
});
