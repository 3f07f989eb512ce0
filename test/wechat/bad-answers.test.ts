/**
 * The engine behind a proxy that mangles one WeChat answer (docs/architecture.md, invariant 6: an API answer
 * of the wrong shape yields a clear message and a journal trace, never money). A mangled lookup
 * declines with `bad_answer` and moves nothing; a mangled answer to a write that did apply is an
 * unknown outcome, resolved by reading back: settled, with exactly one deduction.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src-main/journal/events.ts';
import type { RedemptionRow } from '../../src-main/journal/redemptions.ts';
import { DEMO_MERCHANT_ID } from '../../src-main/sim/index.ts';
import type { Terminal } from '../../src-main/terminal.ts';
import { deductions, startTestSim, type TestSim } from '../helpers/sim.ts';
import { openTestTerminal, tempDir } from '../helpers/terminal.ts';
import { MANGLES, startManglingProxy, type Mangle, type ManglingProxy } from './mangling-proxy.ts';

let sim: TestSim;
let proxy: ManglingProxy;
let dir: ReturnType<typeof tempDir>;
let terminal: Terminal;

beforeAll(async () => {
  sim = await startTestSim();
});
afterAll(async () => {
  await sim.close();
});
beforeEach(async () => {
  proxy = await startManglingProxy(sim.url);
  dir = tempDir();
  terminal = await openTestTerminal(proxy.url, dir.path);
  await sim.clearFaults();
  await sim.clearRequests();
});
afterEach(async () => {
  await terminal.close();
  await proxy.close();
  dir.remove();
});

const giftCard = (balanceFen: number) => sim.createCard({ balanceFen, merchantId: DEMO_MERCHANT_ID });

async function redeem(code: string, amount: string): Promise<RedemptionRow> {
  const result = await terminal.engine.redeem({ code, amount, cashier: 'alice' });
  if (!result.ok) throw new Error(`refused: ${result.error.reason}`);
  return result.value;
}

const writesSent = async () =>
  (await sim.requests()).filter((r) => r.path === '/card/generalcard/updateuser' || r.path === '/card/code/consume');

const apiEvents = (id: string) =>
  (terminal.db.prepare("SELECT data FROM events WHERE redemption_id = ? AND kind = 'api' ORDER BY seq").all(id) as Array<{ data: string }>).map(
    (e) => JSON.parse(e.data) as { path: string; error?: string; response?: unknown },
  );

const MANGLED: ReadonlyArray<[string, Mangle]> = [
  ['not JSON', MANGLES.html],
  ['truncated JSON', MANGLES.truncated],
  ['the balance as a string', MANGLES.balanceAsString],
  ['a fractional balance', MANGLES.fractionalBalance],
];

describe('a mangled card/code/get answer', () => {
  it.each(MANGLED)('(%s) declines with bad_answer; nothing is sent that moves money', async (_what, mangle) => {
    const card = await giftCard(50_000);
    proxy.mangle('/card/code/get', mangle);
    const row = await redeem(card.code, '35.50');
    expect(row).toMatchObject({ state: 'declined', reason: 'bad_answer', offline: 0 });
    expect(await writesSent()).toHaveLength(0);
    const after = await sim.code(card.code);
    expect(after.balanceFen).toBe(50_000);
    expect(deductions(after)).toHaveLength(0);
    // The manager can see what came back.
    expect(apiEvents(row.id).map((e) => e.path)).toContain('/card/code/get');
    expect(verifyChain(terminal.db).ok).toBe(true);
  });

  it('is not taken for an outage: a card seen online before is declined, not queued offline', async () => {
    const card = await giftCard(50_000);
    // Seen online once, so the offline rules would accept it from the cache.
    expect((await terminal.engine.lookup(card.code)).ok).toBe(true);
    proxy.mangle('/card/code/get', MANGLES.balanceAsString);
    const row = await redeem(card.code, '10');
    expect(row).toMatchObject({ state: 'declined', reason: 'bad_answer', offline: 0 });
    expect(terminal.connectivity.status.online).toBe(true);
  });

  it('a lookup (balance inquiry) says bad_answer too', async () => {
    const card = await giftCard(50_000);
    proxy.mangle('/card/code/get', MANGLES.truncated, 1);
    expect(await terminal.engine.lookup(card.code)).toEqual({ ok: false, error: { reason: 'bad_answer' } });
  });
});

describe('a mangled card/generalcard/updateuser answer after the write applied', () => {
  it.each(MANGLED)('(%s) is read back and settled, with exactly one deduction', async (_what, mangle) => {
    const card = await giftCard(50_000);
    proxy.mangle('/card/generalcard/updateuser', mangle, 1);
    const row = await redeem(card.code, '35.50');
    expect(proxy.mangled()).toBe(1);
    expect(row).toMatchObject({ state: 'settled', balance_before_fen: 50_000, balance_after_fen: 46_450, attempts: 1 });
    const after = await sim.code(card.code);
    expect(after.balanceFen).toBe(46_450);
    expect(deductions(after)).toEqual([expect.objectContaining({ balanceFen: 46_450, recordBalance: '门店消费35.50元' })]);
    // Read back, never deducted again: one updateuser, then a code/get.
    const sent = (await sim.requests()).map((r) => r.path);
    expect(sent.filter((p) => p === '/card/generalcard/updateuser')).toHaveLength(1);
    expect(sent.lastIndexOf('/card/code/get')).toBeGreaterThan(sent.indexOf('/card/generalcard/updateuser'));
    expect(verifyChain(terminal.db).ok).toBe(true);
  });

  it('a mangled consume answer on the emptying redemption is read back too: settled, card retired once', async () => {
    const card = await giftCard(2_000);
    proxy.mangle('/card/code/consume', MANGLES.html, 1);
    const row = await redeem(card.code, '20');
    expect(row).toMatchObject({ state: 'settled', balance_after_fen: 0 });
    const after = await sim.code(card.code);
    expect(after).toMatchObject({ balanceFen: 0, userCardStatus: 'CONSUMED' });
    expect(deductions(after)).toHaveLength(1);
  });
});
