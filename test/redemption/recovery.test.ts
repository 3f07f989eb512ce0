import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inTransaction } from '../../src-main/journal/db.ts';
import { insertRedemption, type RedemptionRow } from '../../src-main/journal/redemptions.ts';
import { DEMO, DEMO_MERCHANT_ID } from '../../src-main/sim/index.ts';
import type { Terminal } from '../../src-main/terminal.ts';
import { deductions, startTestSim, type TestSim } from '../helpers/sim.ts';
import { openTestTerminal, tempDir } from '../helpers/terminal.ts';

let sim: TestSim;
let dir: ReturnType<typeof tempDir>;
let terminal: Terminal;

beforeAll(async () => {
  sim = await startTestSim();
});
afterAll(async () => sim.close());
beforeEach(async () => {
  dir = tempDir();
  terminal = await openTestTerminal(sim.url, dir.path);
  await sim.clearFaults();
});
afterEach(async () => {
  await terminal.close();
  dir.remove();
});

/** A row as an interrupted process left it, `ageMs` ago. */
function interrupted(card: { code: string; cardId: string }, patch: Partial<RedemptionRow>, ageMs = 0): RedemptionRow {
  const at = Date.now() - ageMs;
  return inTransaction(terminal.db, () =>
    insertRedemption(terminal.db, {
      id: randomUUID(),
      terminal_id: 'T01',
      cashier: 'alice',
      scanned_code: card.code,
      code_kind: 'card_code',
      scanned_at: at,
      created_at: at,
      amount_fen: 1000,
      state: 'pending',
      ...patch,
    }),
  );
}

const giftCard = (balanceFen: number) => sim.createCard({ balanceFen, merchantId: DEMO_MERCHANT_ID });

describe('recovery at start', () => {
  it('finishes a fresh interrupted redemption, and declines one the customer has long left (nothing deducted)', async () => {
    const fresh = await giftCard(5_000);
    const stale = await giftCard(5_000);
    const a = interrupted(fresh, {});
    const b = interrupted(stale, {}, 60 * 60_000);
    await terminal.engine.recover();
    expect(terminal.db.prepare('SELECT state, reason FROM redemptions WHERE id = ?').get(a.id)).toEqual({ state: 'settled', reason: null });
    expect(terminal.db.prepare('SELECT state, reason FROM redemptions WHERE id = ?').get(b.id)).toEqual({ state: 'declined', reason: 'interrupted' });
    expect((await sim.code(fresh.code)).balanceFen).toBe(4_000);
    expect((await sim.code(stale.code)).balanceFen).toBe(5_000);
  });

  it('reads back a stale deduction in flight: applied → settled; not applied → declined, never sent late', async () => {
    const applied = await giftCard(5_000);
    const notApplied = await giftCard(5_000);
    await sim.setBalance(applied.code, applied.cardId, 4_000); // the lost request did land
    const base = { state: 'deducting', balance_before_fen: 5_000, target_balance_fen: 4_000, attempts: 1 } as const;
    const a = interrupted(applied, { ...base, real_code: applied.code, card_id: applied.cardId, sub_card_type: 'GIFT_CARD' }, 60 * 60_000);
    const b = interrupted(notApplied, { ...base, real_code: notApplied.code, card_id: notApplied.cardId, sub_card_type: 'GIFT_CARD' }, 60 * 60_000);
    await terminal.engine.recover();
    expect(terminal.db.prepare('SELECT state, balance_after_fen FROM redemptions WHERE id = ?').get(a.id)).toEqual({ state: 'settled', balance_after_fen: 4_000 });
    expect(terminal.db.prepare('SELECT state, reason FROM redemptions WHERE id = ?').get(b.id)).toEqual({ state: 'declined', reason: 'interrupted' });
    expect(deductions(await sim.code(notApplied.code))).toHaveLength(0);
  });

  it('holds for review a card that moved in a way that matches neither before nor target', async () => {
    const card = await giftCard(5_000);
    await sim.setBalance(card.code, card.cardId, 1_234);
    const row = interrupted(card, { state: 'deducting', real_code: card.code, card_id: card.cardId, sub_card_type: 'GIFT_CARD', balance_before_fen: 5_000, target_balance_fen: 4_000, attempts: 1 });
    await terminal.engine.recover();
    expect(terminal.db.prepare('SELECT state, reason FROM redemptions WHERE id = ?').get(row.id)).toEqual({ state: 'needs_review', reason: 'balance_conflict' });
    expect((await sim.code(card.code)).balanceFen).toBe(1_234);
  });

  it('refuses a second writer on a card with a deduction in flight from another process', async () => {
    const card = await giftCard(5_000);
    interrupted(card, { state: 'deducting', real_code: card.code, card_id: card.cardId, balance_before_fen: 5_000, target_balance_fen: 4_000, attempts: 1 });
    const result = await terminal.engine.redeem({ code: card.code, amount: '1', cashier: 'bob' });
    expect(result.ok && result.value).toMatchObject({ state: 'declined', reason: 'card_busy' });
    expect(deductions(await sim.code(card.code))).toHaveLength(0);
  });
});

describe('custom-code cards', () => {
  it('asks for the card id when none is known, and redeems once the allowed list names it', async () => {
    const first = await terminal.engine.redeem({ code: DEMO.customCodeGiftCard.code, amount: '1', cashier: 'alice' });
    expect(first.ok && first.value).toMatchObject({ state: 'declined', reason: 'card_id_required' });
    await terminal.close();
    terminal = await openTestTerminal(sim.url, dir.path, { env: { GCTERM_ALLOWED_CARD_IDS: DEMO.customCodeGiftCard.cardId } });
    const before = (await sim.code(DEMO.customCodeGiftCard.code)).balanceFen;
    const second = await terminal.engine.redeem({ code: DEMO.customCodeGiftCard.code, amount: '1', cashier: 'alice' });
    expect(second.ok && second.value).toMatchObject({ state: 'settled', balance_after_fen: before - 100 });
  });
});

describe('a clock that jumped', () => {
  it('does not take a row stamped in the future for a fresh one: declined, nothing sent', async () => {
    const card = await giftCard(5_000);
    // Crashed while the clock was a day ahead; the clock has been corrected since.
    const row = interrupted(card, {}, -24 * 60 * 60_000);
    const [resolved] = await terminal.engine.recover();
    expect(resolved).toMatchObject({ id: row.id, state: 'declined', reason: 'interrupted' });
    expect(deductions(await sim.code(card.code))).toHaveLength(0);
  });

  it('reads a deduction stamped in the future back, and never sends it again', async () => {
    const card = await giftCard(5_000);
    interrupted(card, { state: 'deducting', real_code: card.code, card_id: card.cardId, sub_card_type: 'GIFT_CARD', balance_before_fen: 5_000, target_balance_fen: 4_000, attempts: 1 }, -24 * 60 * 60_000);
    const [resolved] = await terminal.engine.recover();
    expect(resolved).toMatchObject({ state: 'declined', reason: 'interrupted' });
    expect(deductions(await sim.code(card.code))).toHaveLength(0);
  });
});

describe("review of a redemption whose write may have landed", () => {
  it('refuses retry and partial settlement (never a second deduction), says the balance, and journals the attempt', async () => {
    const card = await giftCard(5_000);
    // Our update to 4,000 may have landed before someone else set 3,000.
    await sim.setBalance(card.code, card.cardId, 3_000);
    const row = interrupted(card, {
      state: 'needs_review',
      reason: 'balance_conflict',
      real_code: card.code,
      card_id: card.cardId,
      sub_card_type: 'GIFT_CARD',
      balance_before_fen: 5_000,
      target_balance_fen: 4_000,
      attempts: 1,
    });
    for (const action of ['retry', 'settle_partial'] as const) {
      expect(await terminal.engine.resolveReview(row.id, action, '店长', 'try again')).toEqual({
        ok: false,
        error: { reason: 'review_write_may_have_landed', params: { balance: '30.00' } },
      });
    }
    expect(deductions(await sim.code(card.code)).filter((d) => d.balanceFen !== 3_000)).toHaveLength(0);
    const refused = terminal.db.prepare("SELECT count(*) AS n FROM events WHERE redemption_id = ? AND kind = 'review_refused'").get(row.id) as { n: number };
    expect(refused.n).toBe(2);
    // The manager records what the card's history showed.
    expect(await terminal.engine.resolveReview(row.id, 'collected_other', '店长', 'history shows our deduction')).toMatchObject({ ok: true, value: { state: 'collected_other' } });
  });
});

describe("the manager's review actions", () => {
  async function heldForReview(balanceFen: number, amountFen: number): Promise<{ card: { code: string; cardId: string }; row: RedemptionRow }> {
    const card = await giftCard(balanceFen);
    const row = interrupted(card, { state: 'needs_review', reason: 'insufficient_balance', offline: 1, real_code: card.code, card_id: card.cardId, sub_card_type: 'GIFT_CARD', amount_fen: amountFen });
    return { card, row };
  }

  it('settles partially: deducts what is left, retires the card, records the shortfall and who decided', async () => {
    const { card, row } = await heldForReview(3_000, 5_000);
    const result = await terminal.engine.resolveReview(row.id, 'settle_partial', '店长', 'customer paid the rest in cash');
    expect(result.ok && result.value).toMatchObject({ state: 'settled', amount_fen: 3_000, balance_after_fen: 0, shortfall_fen: 2_000 });
    expect(JSON.parse((result.ok && result.value.detail) || '{}')).toMatchObject({ partial: true, takenFen: 3_000, askedFen: 5_000, shortfallFen: 2_000 });
    expect(await sim.code(card.code)).toMatchObject({ balanceFen: 0, userCardStatus: 'CONSUMED' });
    const events = terminal.db.prepare("SELECT data FROM events WHERE redemption_id = ? AND kind = 'state'").all(row.id) as Array<{ data: string }>;
    expect(events.some((e) => e.data.includes('店长') && e.data.includes('settle_partial'))).toBe(true);
  });

  it('retries once the card covers the amount again', async () => {
    const { card, row } = await heldForReview(3_000, 5_000);
    await sim.setBalance(card.code, card.cardId, 8_000);
    const result = await terminal.engine.resolveReview(row.id, 'retry', '店长', 'topped up');
    expect(result.ok && result.value).toMatchObject({ state: 'settled', balance_after_fen: 3_000 });
  });

  it.each([
    ['write_off', 'written_off'],
    ['collected_other', 'collected_other'],
  ] as const)('%s records the decision without touching the card', async (action, state) => {
    const { card, row } = await heldForReview(3_000, 5_000);
    const result = await terminal.engine.resolveReview(row.id, action, '店长', 'noted');
    expect(result.ok && result.value).toMatchObject({ state });
    expect(deductions(await sim.code(card.code))).toHaveLength(0);
  });
});
