/**
 * docs/architecture.md, invariant 6: bad input never crashes and never costs money. Each malformed amount or
 * code is refused by the engine with a reason the cashier can read, before anything is sent to
 * WeChat (the simulator's request log stays empty), nothing is deducted, no redemption row is
 * created, and an `input_rejected` event leaves a short trace in the verifiable journal.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ReasonCode } from '../../shared/reasons.ts';
import { verifyChain } from '../../src-main/journal/events.ts';
import { listRedemptions } from '../../src-main/journal/redemptions.ts';
import { DEMO_MERCHANT_ID } from '../../src-main/sim/index.ts';
import type { Terminal } from '../../src-main/terminal.ts';
import { deductions, startTestSim, type TestSim } from '../helpers/sim.ts';
import { openTestTerminal, tempDir } from '../helpers/terminal.ts';

let sim: TestSim;
let dir: ReturnType<typeof tempDir>;
let terminal: Terminal;
let card: { code: string; cardId: string };

const BALANCE_FEN = 50_000;

beforeAll(async () => {
  sim = await startTestSim();
});
afterAll(async () => {
  await sim.close();
});
beforeEach(async () => {
  dir = tempDir();
  terminal = await openTestTerminal(sim.url, dir.path);
  card = await sim.createCard({ balanceFen: BALANCE_FEN, merchantId: DEMO_MERCHANT_ID });
  await sim.clearRequests();
});
afterEach(async () => {
  await terminal.close();
  dir.remove();
});

type Rejection = Readonly<{ field: string; reason: string; length?: number; amount?: string; code?: string }>;

function rejections(): Rejection[] {
  const rows = terminal.db.prepare("SELECT redemption_id, data FROM events WHERE kind = 'input_rejected' ORDER BY seq").all() as Array<{
    redemption_id: string | null;
    data: string;
  }>;
  for (const row of rows) expect(row.redemption_id).toBeNull();
  return rows.map((row) => JSON.parse(row.data) as Rejection);
}

/** Nothing reached WeChat, nothing moved, no redemption exists, and the journal still verifies. */
async function expectNothingHappened(): Promise<void> {
  expect(await sim.requests()).toEqual([]);
  const after = await sim.code(card.code);
  expect(after.balanceFen).toBe(BALANCE_FEN);
  expect(deductions(after)).toHaveLength(0);
  expect(listRedemptions(terminal.db)).toHaveLength(0);
  expect(verifyChain(terminal.db).ok).toBe(true);
}

describe('amounts', () => {
  const AMOUNTS: ReadonlyArray<[string, string, ReasonCode]> = [
    ['a negative amount', '-1', 'amount_format'],
    ['zero', '0', 'amount_zero'],
    ['zero with decimals', '0.00', 'amount_zero'],
    ['an exponent', '1e3', 'amount_format'],
    ['three decimals', '12.345', 'amount_too_many_decimals'],
    ['fullwidth digits', '３５', 'amount_format'],
    ['fullwidth digits with a fullwidth point', '３５．５０', 'amount_format'],
    ['nothing', '', 'amount_empty'],
    ['only spaces', '   ', 'amount_empty'],
    ['10,000 digits', '9'.repeat(10_000), 'amount_format'],
    ['10,000 letters', 'x'.repeat(10_000), 'amount_format'],
    ['a thousands separator', '1,000', 'amount_format'],
    ['a currency sign', '¥35', 'amount_format'],
    ['more than a till may take', '1000000.01', 'amount_too_large'],
    ['Infinity', 'Infinity', 'amount_format'],
    ['NaN', 'NaN', 'amount_format'],
    ['a hex number', '0x10', 'amount_format'],
  ];

  it.each(AMOUNTS)('%s (%j) is refused with %s before anything is sent', async (_what, amount, reason) => {
    const result = await terminal.engine.redeem({ code: card.code, amount, cashier: 'alice' });
    expect(result).toEqual({ ok: false, error: { reason } });
    await expectNothingHappened();
    const [rejection, ...more] = rejections();
    expect(more).toHaveLength(0);
    expect(rejection).toMatchObject({ field: 'amount', reason, length: amount.length });
    // A short trace, not a copy of whatever was typed or pasted.
    expect(rejection?.amount?.length ?? 0).toBeLessThanOrEqual(32);
  });

  it.each([
    ['negative fen', -100],
    ['zero fen', 0],
    ['fractional fen', 12.5],
    ['NaN fen', Number.NaN],
    ['infinite fen', Number.POSITIVE_INFINITY],
    ['fen beyond 2^53', 2 ** 53 + 2],
  ])('%s given as a number is refused as amount_format', async (_what, fen) => {
    const result = await terminal.engine.redeem({ code: card.code, amount: { fen }, cashier: 'alice' });
    expect(result).toEqual({ ok: false, error: { reason: 'amount_format' } });
    await expectNothingHappened();
    expect(rejections()).toEqual([expect.objectContaining({ field: 'amount', reason: 'amount_format' })]);
  });

  it('a good amount with the same card goes through (the refusals above are about the input)', async () => {
    const result = await terminal.engine.redeem({ code: card.code, amount: ' 35.50 ', cashier: 'alice' });
    expect(result.ok && result.value).toMatchObject({ state: 'settled', amount_fen: 3_550 });
    expect((await sim.code(card.code)).balanceFen).toBe(BALANCE_FEN - 3_550);
    expect(rejections()).toHaveLength(0);
  });
});

describe('codes', () => {
  const CODES: ReadonlyArray<[string, string, ReasonCode]> = [
    ['an empty scan', '', 'code_invalid'],
    ['only a scanner suffix', '\r\n', 'code_invalid'],
    ['10 KB of digits', '6'.repeat(10 * 1024), 'code_invalid'],
    ['10 KB of garbage', 'A%'.repeat(5 * 1024), 'code_invalid'],
    ['an embedded NUL', '688000\u0000000001', 'code_invalid'],
    ['an embedded tab', '688000\t000001', 'code_invalid'],
    ['an ANSI escape sequence', '\u001b[31m688000000001', 'code_invalid'],
    ['an embedded DEL character', '688000\u007f000001', 'code_invalid'],
    ['a C1 control character', '688000\u0085000001', 'code_invalid'],
    ['fullwidth digits', '６８８０００００００１', 'code_invalid'],
    ['too short', '12345', 'code_invalid'],
    ['a WeChat Pay payment code', '134567890123456789', 'code_payment'],
    ['an EAN-13 product barcode', '6901234567892', 'code_product'],
    ['an EAN-8 product barcode', '96385074', 'code_product'],
  ];

  it.each(CODES)('%s is refused with %s by redeem, before anything is sent', async (_what, code, reason) => {
    const result = await terminal.engine.redeem({ code, amount: '1', cashier: 'alice' });
    expect(result).toEqual({ ok: false, error: { reason } });
    await expectNothingHappened();
    const [rejection, ...more] = rejections();
    expect(more).toHaveLength(0);
    expect(rejection).toMatchObject({ field: 'code', reason, length: code.length });
    // The journal keeps a short, masked trace: never 10 KB, never a payment code in full.
    expect(JSON.stringify(rejection).length).toBeLessThan(200);
    if (reason === 'code_payment') expect(JSON.stringify(rejection)).not.toContain(code);
  });

  it.each(CODES)('%s is refused with %s by a balance lookup too', async (_what, code, reason) => {
    expect(await terminal.engine.lookup(code)).toEqual({ ok: false, error: { reason } });
    await expectNothingHappened();
    expect(rejections()).toEqual([expect.objectContaining({ field: 'code', reason })]);
  });

  it('a scanner’s CR/LF suffix around a real code is not bad input', async () => {
    const result = await terminal.engine.redeem({ code: `${card.code}\r\n`, amount: '1', cashier: 'alice' });
    expect(result.ok && result.value).toMatchObject({ state: 'settled', real_code: card.code });
    expect(rejections()).toHaveLength(0);
  });
});

describe('both bad at once', () => {
  it('one refusal, nothing sent', async () => {
    const result = await terminal.engine.redeem({ code: '134567890123456789', amount: '-1', cashier: 'alice' });
    expect(result.ok).toBe(false);
    await expectNothingHappened();
    expect(rejections()).toHaveLength(1);
  });
});
