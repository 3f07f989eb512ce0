import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src-main/journal/events.ts';
import { getRedemption, listRedemptions, type RedemptionRow } from '../../src-main/journal/redemptions.ts';
import { DEMO_CARD_IDS, DEMO_LOCATION_ID, DEMO_MERCHANT_ID, OTHER_LOCATION_IDS, OTHER_MERCHANT_ID } from '../../src-main/sim/index.ts';
import type { Terminal } from '../../src-main/terminal.ts';
import { deductions, quietCard, startTestSim, type TestSim } from '../helpers/sim.ts';
import { openTestTerminal, tempDir } from '../helpers/terminal.ts';

let sim: TestSim;
let dir: ReturnType<typeof tempDir>;
let terminal: Terminal;

beforeAll(async () => {
  sim = await startTestSim();
});
afterAll(async () => {
  await sim.close();
});
beforeEach(async () => {
  dir = tempDir();
  terminal = await openTestTerminal(sim.url, dir.path);
  await sim.clearFaults();
  await sim.clearRequests();
});
afterEach(async () => {
  await terminal.close();
  dir.remove();
});

const giftCard = (balanceFen: number, extra: Readonly<Record<string, unknown>> = {}) =>
  sim.createCard({ balanceFen, merchantId: DEMO_MERCHANT_ID, ...extra });

async function redeem(code: string, amount: string): Promise<RedemptionRow> {
  const result = await terminal.engine.redeem({ code, amount, cashier: 'alice' });
  if (!result.ok) throw new Error(`refused: ${result.error.reason}`);
  return result.value;
}

const writesSent = async () => (await sim.requests()).filter((r) => r.path === '/card/generalcard/updateuser' || r.path === '/card/code/consume');

describe('online redemption', () => {
  it('deducts the amount once, as an absolute balance, and says approved with the remaining balance', async () => {
    const card = await giftCard(50_000);
    const row = await redeem(card.code, '35.50');
    expect(row).toMatchObject({ state: 'settled', amount_fen: 3550, balance_before_fen: 50_000, balance_after_fen: 46_450, real_code: card.code });
    const after = await sim.code(card.code);
    expect(after.balanceFen).toBe(46_450);
    expect(deductions(after)).toHaveLength(1);
    expect(deductions(after)[0]).toMatchObject({ balanceFen: 46_450, recordBalance: '门店消费35.50元' });
    expect(verifyChain(terminal.db).ok).toBe(true);
  });

  it('retires a card its redemption empties', async () => {
    const card = await giftCard(1_000);
    const row = await redeem(card.code, '10');
    expect(row).toMatchObject({ state: 'settled', balance_after_fen: 0 });
    const after = await sim.code(card.code);
    expect(after).toMatchObject({ balanceFen: 0, userCardStatus: 'CONSUMED' });
  });

  it('redeems a voucher whole by consuming it, without touching a balance', async () => {
    const card = await sim.createCard({ balanceFen: 0, subCardType: 'VOUCHER', merchantId: DEMO_MERCHANT_ID });
    const row = await redeem(card.code, '25');
    expect(row).toMatchObject({ state: 'settled', sub_card_type: 'VOUCHER' });
    expect((await sim.code(card.code)).userCardStatus).toBe('CONSUMED');
    expect((await writesSent()).map((r) => r.path)).toEqual(['/card/code/consume']);
  });

  it('resolves a dynamic code to the real code, deducts with the real one, and refuses the same dynamic code again', async () => {
    const card = await giftCard(30_000, { useDynamicCode: true });
    const { dynamicCode } = await sim.dynamic(card.code);
    expect(dynamicCode).toMatch(/^1636\d{14}$/);
    const row = await redeem(dynamicCode, '12.30');
    expect(row).toMatchObject({ state: 'settled', code_kind: 'wechat_dynamic', scanned_code: dynamicCode, real_code: card.code });
    const updates = (await sim.requests()).filter((r) => r.path === '/card/generalcard/updateuser');
    expect(updates.map((r) => (r.body as { code: string }).code)).toEqual([card.code]);

    await sim.clearRequests();
    const replay = await redeem(dynamicCode, '12.30');
    expect(replay).toMatchObject({ state: 'declined', reason: 'dynamic_code_replay' });
    expect(await sim.requests()).toHaveLength(0);
    expect((await sim.code(card.code)).balanceFen).toBe(30_000 - 1230);
  });

  it('resolves a dynamic code once: a balance inquiry then the redemption, and refuses it afterwards', async () => {
    const card = await giftCard(30_000, { useDynamicCode: true });
    const { dynamicCode } = await sim.dynamic(card.code);
    const inquiry = await terminal.engine.lookup(dynamicCode);
    expect(inquiry.ok && inquiry.value.answer.card.balance).toBe(30_000);
    const row = await redeem(dynamicCode, '5');
    expect(row).toMatchObject({ state: 'settled', real_code: card.code, balance_after_fen: 29_500 });
    const resolutions = (await sim.requests()).filter((r) => r.path === '/card/code/get' && (r.body as { code: string }).code === dynamicCode);
    expect(resolutions).toHaveLength(1);
    expect(await terminal.engine.lookup(dynamicCode)).toEqual({ ok: false, error: { reason: 'dynamic_code_replay' } });
    expect(await redeem(dynamicCode, '5')).toMatchObject({ state: 'declined', reason: 'dynamic_code_replay' });
  });

  it('lets a dynamic code refused before anything moved be presented again, and refuses it once money moved', async () => {
    const card = await giftCard(3_000, { useDynamicCode: true });
    const { dynamicCode } = await sim.dynamic(card.code);
    // Too much for the card: declined, nothing deducted — the customer may show the same code again.
    expect(await redeem(dynamicCode, '50')).toMatchObject({ state: 'declined', reason: 'insufficient_balance' });
    expect(await redeem(dynamicCode, '20')).toMatchObject({ state: 'settled', balance_after_fen: 1_000 });
    expect(await redeem(dynamicCode, '5')).toMatchObject({ state: 'declined', reason: 'dynamic_code_replay' });
    expect(deductions(await sim.code(card.code))).toHaveLength(1);
  });

  it('takes what the card holds and journals the rest as collected another way (a partial redemption)', async () => {
    const card = await giftCard(3_000);
    const result = await terminal.engine.redeem({ code: card.code, amount: { fen: 3_000 }, shortfallFen: 2_000, cashier: 'alice' });
    expect(result.ok && result.value).toMatchObject({ state: 'settled', amount_fen: 3_000, shortfall_fen: 2_000, balance_after_fen: 0 });
    expect(await sim.code(card.code)).toMatchObject({ balanceFen: 0, userCardStatus: 'CONSUMED' });
    expect(verifyChain(terminal.db).ok).toBe(true);
    // A shortfall that is not a positive whole number of fen is bad input: nothing journaled as a redemption.
    expect(await terminal.engine.redeem({ code: card.code, amount: { fen: 100 }, shortfallFen: -5, cashier: 'alice' })).toEqual({ ok: false, error: { reason: 'amount_format' } });
  });

  it('serialises concurrent redemptions of one card so none overwrites another', async () => {
    const card = await giftCard(10_000);
    const rows = await Promise.all(['10', '20', '30', '5.55'].map((amount) => redeem(card.code, amount)));
    expect(rows.every((r) => r.state === 'settled')).toBe(true);
    expect((await sim.code(card.code)).balanceFen).toBe(10_000 - 1000 - 2000 - 3000 - 555);
  });
});

describe('declines cost nothing', () => {
  it.each([
    ['more than the balance', () => giftCard(1_000), '10.01', 'insufficient_balance'],
    ['a consumed card', () => giftCard(0, { userCardStatus: 'CONSUMED' }), '1', 'card_consumed'],
    ['a card being gifted', () => giftCard(5_000, { userCardStatus: 'GIFTING' }), '1', 'card_gifting'],
    ['an expired card', () => giftCard(5_000, { beginTime: 1_600_000_000, endTime: 1_700_000_000 }), '1', 'card_expired'],
    ['a card not valid yet', () => giftCard(5_000, { beginTime: 2_000_000_000, endTime: 2_100_000_000 }), '1', 'card_not_yet_valid'],
    ["another sub-merchant's card", () => giftCard(5_000, { merchantId: OTHER_MERCHANT_ID }), '1', 'card_other_merchant'],
    ['a card for other stores', () => giftCard(5_000, { locationIds: [...OTHER_LOCATION_IDS] }), '1', 'card_other_location'],
  ])('%s', async (_what, make, amount, reason) => {
    const card = await make();
    const row = await redeem(card.code, amount);
    expect(row).toMatchObject({ state: 'declined', reason });
    expect(await writesSent()).toHaveLength(0);
  });

  it('accepts a card restricted to this store', async () => {
    const card = await giftCard(5_000, { locationIds: [DEMO_LOCATION_ID] });
    expect((await redeem(card.code, '1')).state).toBe('settled');
  });

  it('refuses an unknown code with the cashier-readable reason', async () => {
    const row = await redeem('688999999999', '1');
    expect(row).toMatchObject({ state: 'declined', reason: 'card_unknown' });
  });

  it('refuses card ids outside the allowed list when one is configured', async () => {
    await terminal.close();
    terminal = await openTestTerminal(sim.url, dir.path, { env: { GCTERM_ALLOWED_CARD_IDS: DEMO_CARD_IDS.voucher } });
    const card = await giftCard(5_000);
    expect(await redeem(card.code, '1')).toMatchObject({ state: 'declined', reason: 'card_not_allowed' });
  });
});

describe('unknown outcomes are read back, never deducted twice', () => {
  it.each([
    ['the answer is lost after the write applied', 'drop-after-apply'],
    ['WeChat answers -1 after applying', 'busy-after-apply'],
    ['WeChat answers -1 before applying', 'busy-before-apply'],
    ['HTTP 500', 'http500'],
  ] as const)('%s → settled with exactly one deduction', async (_what, kind) => {
    const card = await giftCard(20_000);
    await sim.fault({ path: '/card/generalcard/updateuser', kind, times: 1 });
    const row = await redeem(card.code, '50');
    expect(row).toMatchObject({ state: 'settled', balance_after_fen: 15_000 });
    const after = await sim.code(card.code);
    expect(after.balanceFen).toBe(15_000);
    expect(deductions(after).every((d) => d.balanceFen === 15_000)).toBe(true);
  });

  it('a timeout is resolved by reading back', async () => {
    await terminal.close();
    terminal = await openTestTerminal(sim.url, dir.path, { env: { GCTERM_TIMEOUT_MS: '300' } });
    const card = await giftCard(20_000);
    await sim.fault({ path: '/card/generalcard/updateuser', kind: 'latency', latencyMs: 800, times: 1 });
    const row = await redeem(card.code, '1');
    expect(row.state).toBe('settled');
    // The timed-out copy lands later: it sets the same absolute balance.
    const after = await quietCard(sim, card.code);
    expect(after.balanceFen).toBe(19_900);
  });

  it('holds the redemption for review when someone else wrote the card meanwhile', async () => {
    const card = await giftCard(20_000);
    await sim.fault({ path: '/card/generalcard/updateuser', kind: 'drop-after-apply', times: 1 });
    const original = terminal.client.getCode;
    let intercepted = false;
    // Another terminal writes the card between our lost answer and our read-back.
    (terminal.client as { getCode: typeof original }).getCode = async (request, onExchange) => {
      if (!intercepted && (await sim.code(card.code)).balanceFen === 15_000) {
        intercepted = true;
        await sim.setBalance(card.code, card.cardId, 12_000);
      }
      return original(request, onExchange);
    };
    const row = await redeem(card.code, '50');
    expect(row).toMatchObject({ state: 'needs_review', reason: 'balance_conflict' });
    expect(row.detail).toContain('12000');
    expect((await sim.code(card.code)).balanceFen).toBe(12_000);
  });

  it('declines without deducting when the service keeps refusing the write', async () => {
    const card = await giftCard(20_000);
    await sim.fault({ path: '/card/generalcard/updateuser', kind: 'busy-before-apply' });
    const row = await redeem(card.code, '1');
    expect(row).toMatchObject({ state: 'declined', reason: 'service_busy', attempts: 3 });
    expect((await sim.code(card.code)).balanceFen).toBe(20_000);
  });
});

describe('void', () => {
  it("sets today's redemption back when the card has not moved", async () => {
    const card = await giftCard(20_000);
    const row = await redeem(card.code, '50');
    const result = await terminal.engine.void(row.id, 'manager');
    expect(result.ok && result.value.state).toBe('voided');
    const after = await sim.code(card.code);
    expect(after.balanceFen).toBe(20_000);
    expect(after.history.at(-1)).toMatchObject({ recordBalance: '门店撤销50.00元' });
  });

  it('refuses when the card moved since, and when it was retired', async () => {
    const card = await giftCard(20_000);
    const row = await redeem(card.code, '50');
    await redeem(card.code, '1');
    expect(await terminal.engine.void(row.id, 'manager')).toEqual({ ok: false, error: { reason: 'void_card_moved' } });
    const emptied = await giftCard(500);
    const emptying = await redeem(emptied.code, '5');
    expect(await terminal.engine.void(emptying.id, 'manager')).toEqual({ ok: false, error: { reason: 'void_consumed' } });
    expect(getRedemption(terminal.db, row.id)?.state).toBe('settled');
    const refusals = terminal.db.prepare("SELECT data FROM events WHERE redemption_id = ? AND kind = 'void_refused'").all(row.id) as Array<{ data: string }>;
    expect(refusals.map((e) => JSON.parse(e.data))).toEqual([{ manager: 'manager', reason: 'void_card_moved' }]);
    expect(verifyChain(terminal.db).ok).toBe(true);
  });
});

describe('the journal', () => {
  it('records every redemption with its API exchanges, secrets redacted, in a verifiable chain', async () => {
    const card = await giftCard(20_000);
    const row = await redeem(card.code, '1');
    const events = terminal.db.prepare('SELECT kind, data FROM events WHERE redemption_id = ? ORDER BY seq').all(row.id) as Array<{ kind: string; data: string }>;
    expect(events.map((e) => e.kind)).toContain('api');
    const text = events.map((e) => e.data).join('\n');
    expect(text).toContain('/card/generalcard/updateuser');
    expect(text).not.toMatch(/access_token=[^*]/);
    expect(verifyChain(terminal.db)).toMatchObject({ ok: true });
  });

  it('names a row altered behind its back', async () => {
    const card = await giftCard(20_000);
    const row = await redeem(card.code, '1');
    terminal.db.prepare('UPDATE redemptions SET amount_fen = 1 WHERE id = ?').run(row.id);
    const result = verifyChain(terminal.db);
    expect(result.ok).toBe(false);
    expect(result.brokenAt?.problem).toContain(row.id);
  });

  it('names an altered event', async () => {
    const card = await giftCard(20_000);
    await redeem(card.code, '1');
    terminal.db.prepare('UPDATE events SET at = at + 1 WHERE seq = 2').run();
    const result = verifyChain(terminal.db);
    expect(result).toMatchObject({ ok: false, brokenAt: { seq: 2 } });
  });

  it('keeps every redemption of the day in order', async () => {
    const card = await giftCard(20_000);
    await redeem(card.code, '1');
    await redeem(card.code, '2');
    expect(listRedemptions(terminal.db).map((r) => r.amount_fen)).toEqual([100, 200]);
  });
});
