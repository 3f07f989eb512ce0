import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OfflineLimitsSchema } from '../../src-main/config.ts';
import { verifyChain } from '../../src-main/journal/events.ts';
import { listRedemptions, type RedemptionRow } from '../../src-main/journal/redemptions.ts';
import { queueStatus } from '../../src-main/journal/queue.ts';
import { decideOffline, replayQueue } from '../../src-main/redemption/offline.ts';
import { DEMO_MERCHANT_ID } from '../../src-main/sim/index.ts';
import type { Terminal } from '../../src-main/terminal.ts';
import { closedPortUrl } from '../helpers/net.ts';
import { deductions, startTestSim, type TestSim } from '../helpers/sim.ts';
import { openTestTerminal, tempDir } from '../helpers/terminal.ts';

let sim: TestSim;
let dir: ReturnType<typeof tempDir>;
let terminal: Terminal;
let downUrl: string;

beforeAll(async () => {
  sim = await startTestSim();
  downUrl = await closedPortUrl();
});
afterAll(async () => sim.close());
beforeEach(async () => {
  dir = tempDir();
  await sim.clearFaults();
  await sim.clock({});
});
afterEach(async () => {
  await terminal.close();
  dir.remove();
});

const online = async () => {
  await terminal?.close();
  terminal = await openTestTerminal(sim.url, dir.path);
};
const offline = async () => {
  await terminal?.close();
  terminal = await openTestTerminal(downUrl, dir.path);
};

async function redeem(code: string, amount: string): Promise<RedemptionRow> {
  const result = await terminal.engine.redeem({ code, amount, cashier: 'bob' });
  if (!result.ok) throw new Error(result.error.reason);
  return result.value;
}

const giftCard = (balanceFen: number, extra: Readonly<Record<string, unknown>> = {}) => sim.createCard({ balanceFen, merchantId: DEMO_MERCHANT_ID, ...extra });

/** Cards the terminal has looked up online, so the offline rules know them. */
async function knownCards(...balances: number[]) {
  const cards = [];
  for (const balance of balances) cards.push(await giftCard(balance));
  await online();
  for (const card of cards) expect((await terminal.engine.lookup(card.code)).ok).toBe(true);
  return cards;
}

describe('offline acceptance within the limits', () => {
  it('queues a known card, tells the cashier it is queued (not approved), and marks the terminal offline', async () => {
    const [card] = await knownCards(50_000);
    await offline();
    const row = await redeem(card!.code, '35');
    expect(row).toMatchObject({ state: 'queued', offline: 1, amount_fen: 3500 });
    expect(terminal.connectivity.status.online).toBe(false);
    expect(queueStatus(terminal.db)).toMatchObject({ depth: 1, queuedFen: 3500 });
    expect((await sim.code(card!.code)).balanceFen).toBe(50_000);
  });

  it.each([
    ['per redemption (¥200)', [50_000], [['0', '200.01']], 'offline_cap_per_redemption'],
    ['per card (¥500 queued)', [100_000], [['0', '200'], ['0', '200'], ['0', '100.01']], 'offline_cap_per_card'],
    ['the cached balance after what is queued', [30_000], [['0', '200'], ['0', '100.01']], 'offline_insufficient_cached_balance'],
  ] as const)('refuses beyond the limit %s, naming the rule', async (_what, balances, steps, rule) => {
    const cards = await knownCards(...balances);
    await offline();
    const rows = [];
    for (const [index, amount] of steps) rows.push(await redeem(cards[Number(index)]!.code, amount));
    expect(rows.slice(0, -1).every((r) => r.state === 'queued')).toBe(true);
    expect(rows.at(-1)).toMatchObject({ state: 'declined', reason: rule });
  });

  it('refuses beyond the total exposure (¥2,000)', async () => {
    const cards = await knownCards(...Array.from({ length: 11 }, () => 50_000));
    await offline();
    const rows = [];
    for (const card of cards) rows.push(await redeem(card.code, '190'));
    expect(rows.slice(0, 10).every((r) => r.state === 'queued')).toBe(true);
    expect(rows[10]).toMatchObject({ state: 'declined', reason: 'offline_cap_exposure' });
  });

  it('refuses a static code never seen online, and a static code of a dynamic-code card', async () => {
    const dynamicCard = await giftCard(50_000, { useDynamicCode: true });
    await knownCards();
    expect((await terminal.engine.lookup(dynamicCard.code)).ok).toBe(true);
    const stranger = await giftCard(50_000);
    await offline();
    expect(await redeem(stranger.code, '1')).toMatchObject({ state: 'declined', reason: 'offline_unknown_card' });
    expect(await redeem(dynamicCard.code, '1')).toMatchObject({ state: 'declined', reason: 'offline_static_on_dynamic_card' });
  });

  it('accepts a dynamic code up to ¥100 and refuses one presented twice', async () => {
    const card = await giftCard(50_000, { useDynamicCode: true });
    const first = await sim.dynamic(card.code);
    const second = await sim.dynamic(card.code);
    await offline();
    expect(await redeem(first.dynamicCode, '100')).toMatchObject({ state: 'queued' });
    expect(await redeem(first.dynamicCode, '1')).toMatchObject({ state: 'declined', reason: 'dynamic_code_replay' });
    expect(await redeem(second.dynamicCode, '100.01')).toMatchObject({ state: 'declined', reason: 'offline_dynamic_refused' });
  });

  it('refuses new items when the oldest queued one is older than 72 hours', async () => {
    const [card] = await knownCards(50_000);
    await offline();
    await redeem(card!.code, '1');
    // The same journal, judged 73 hours later.
    const decision = decideOffline(terminal.db, OfflineLimitsSchema.parse({}), { codeKind: 'card_code', amountFen: 100, realCode: card!.code }, Date.now() + 73 * 3_600_000);
    expect(decision).toMatchObject({ accept: false, reason: 'offline_queue_too_old' });
  });
});

describe('replay when the network is back', () => {
  it('settles each queued redemption exactly once, and resolves timed-out dynamic codes with is_expire_dynamic_code', async () => {
    const cards = await knownCards(50_000, 20_000);
    const dynamicCard = await giftCard(30_000, { useDynamicCode: true });
    const { dynamicCode } = await sim.dynamic(dynamicCard.code);
    await offline();
    await redeem(cards[0]!.code, '10');
    await redeem(cards[0]!.code, '20');
    await redeem(cards[1]!.code, '30');
    await redeem(dynamicCode, '50');
    await sim.clock({ advance: 3600 }); // the dynamic code has long expired
    await online();
    await sim.clearRequests();
    const report = await replayQueue(terminal.engine, terminal.connectivity, { backoffMs: () => 0 });
    expect(report).toMatchObject({ settled: 4, needsReview: 0, remaining: 0 });
    expect((await sim.code(cards[0]!.code)).balanceFen).toBe(47_000);
    expect(deductions(await sim.code(cards[0]!.code))).toHaveLength(2);
    expect((await sim.code(cards[1]!.code)).balanceFen).toBe(17_000);
    expect((await sim.code(dynamicCard.code)).balanceFen).toBe(25_000);
    const dynamicLookups = (await sim.requests()).filter((r) => r.path === '/card/code/get' && (r.body as { code?: string }).code === dynamicCode);
    expect(dynamicLookups.length).toBeGreaterThan(0);
    expect(dynamicLookups.every((r) => (r.body as { is_expire_dynamic_code?: boolean }).is_expire_dynamic_code === true)).toBe(true);

    // A second replay has nothing left to do and sends no write.
    await sim.clearRequests();
    expect(await replayQueue(terminal.engine, terminal.connectivity)).toMatchObject({ settled: 0, remaining: 0 });
    expect((await sim.requests()).filter((r) => r.path === '/card/generalcard/updateuser')).toHaveLength(0);
    expect(verifyChain(terminal.db).ok).toBe(true);
  });

  it('holds for review a card drained by another client during the outage, sending nothing that would go negative', async () => {
    const [card] = await knownCards(10_000);
    await offline();
    await redeem(card!.code, '80');
    await sim.setBalance(card!.code, card!.cardId, 5_000); // spent elsewhere meanwhile
    await online();
    await sim.clearRequests();
    const report = await replayQueue(terminal.engine, terminal.connectivity, { backoffMs: () => 0 });
    expect(report).toMatchObject({ settled: 0, needsReview: 1 });
    const [row] = listRedemptions(terminal.db, { state: 'needs_review' });
    expect(row).toMatchObject({ reason: 'insufficient_balance', balance_before_fen: 5_000 });
    expect((await sim.requests()).filter((r) => r.path === '/card/generalcard/updateuser')).toHaveLength(0);
    expect((await sim.code(card!.code)).balanceFen).toBe(5_000);
  });

  it('pauses on the daily quota (45009) and keeps the items queued', async () => {
    const [card] = await knownCards(10_000);
    await offline();
    await redeem(card!.code, '1');
    await online();
    await sim.fault({ path: '/card/code/get', kind: 'quota' });
    const report = await replayQueue(terminal.engine, terminal.connectivity, { backoffMs: () => 0 });
    expect(report).toMatchObject({ settled: 0, remaining: 1, stoppedBy: 'quota' });
    await sim.clearFaults();
    expect(await replayQueue(terminal.engine, terminal.connectivity, { backoffMs: () => 0 })).toMatchObject({ settled: 1, remaining: 0 });
  });

  it('slows down on 45011 and carries on', async () => {
    const [card] = await knownCards(10_000);
    await offline();
    await redeem(card!.code, '1');
    await online();
    await sim.fault({ path: '/card/code/get', kind: 'rate-limit', times: 2 });
    expect(await replayQueue(terminal.engine, terminal.connectivity, { backoffMs: () => 0 })).toMatchObject({ settled: 1, remaining: 0 });
  });
});
