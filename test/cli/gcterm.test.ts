/**
 * The `gcterm` command line as a child process against a test simulator and a temporary data
 * directory: what a cashier reads (zh-CN by default, English on request), what a script parses
 * (--json, --csv), and the exit status (0 approved/ok, 1 bad input or error, 2 declined).
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CSV_HEADER, CSV_HEADERS } from '../../src-main/journal/export.ts';
import { localDate } from '../../src-main/journal/redemptions.ts';
import { DEMO_MERCHANT_ID } from '../../src-main/sim/index.ts';
import { deductions, startTestSim, type TestSim } from '../helpers/sim.ts';
import { tempDir, terminalEnv } from '../helpers/terminal.ts';
import { gcterm, parseCsv, type CliRun } from './run-gcterm.ts';

let sim: TestSim;
let dir: ReturnType<typeof tempDir>;
let env: Record<string, string>;

beforeAll(async () => {
  sim = await startTestSim();
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  dir = tempDir('gcterm-cli-');
  env = terminalEnv(sim.url, dir.path);
});
afterEach(() => {
  dir.remove();
});

const run = (...args: string[]) => gcterm(args, env);
const giftCard = (balanceFen: number, extra: Readonly<Record<string, unknown>> = {}) =>
  sim.createCard({ balanceFen, merchantId: DEMO_MERCHANT_ID, ...extra });

type RedemptionJson = Readonly<{
  id: string;
  state: string;
  code: string;
  realCode: string | null;
  cardId: string | null;
  amountFen: number;
  balanceBeforeFen: number | null;
  balanceAfterFen: number | null;
  reason: string | null;
  createdAt: string;
  message?: string;
}>;

/** stdout must be exactly one JSON document: nothing else on it for a script to trip over. */
function json<T>(result: CliRun): T {
  return JSON.parse(result.stdout) as T;
}

async function redeemJson(code: string, amount: string): Promise<RedemptionJson> {
  const result = await run('redeem', code, amount, '--json');
  return json<RedemptionJson>(result);
}

describe('gcterm lookup', () => {
  it('shows the balance as ¥ with two decimals, in Chinese by default', async () => {
    const card = await giftCard(10_050);
    const result = await run('lookup', card.code);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('余额 ¥100.50');
    expect(result.stdout).toContain('可在本店使用');
    expect(result.stdout).toContain(`•••• ${card.code.slice(-4)}`);
  });

  it('in English with --lang en', async () => {
    const card = await giftCard(8_888);
    const result = await run('lookup', card.code, '--lang', 'en');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Balance ¥88.88');
    expect(result.stdout).toContain('Can be redeemed here');
    expect(result.stdout).not.toMatch(/[余额可]/);
  });

  it('GCTERM_LANG accepts a language tag as people write it (en-US), and names a wrong one', async () => {
    const card = await giftCard(8_888);
    const english = await gcterm(['lookup', card.code], { ...env, GCTERM_LANG: 'en-US' });
    expect(english.code).toBe(0);
    expect(english.stdout).toContain('Balance ¥88.88');
    const wrong = await gcterm(['lookup', card.code], { ...env, GCTERM_LANG: 'tlh' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('settings: language');
  });

  it('says why a card cannot be used here, and exits 2', async () => {
    const card = await giftCard(0, { userCardStatus: 'CONSUMED' });
    const result = await run('--lang', 'en', 'lookup', card.code);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('Balance ¥0.00');
    expect(result.stdout).toContain('Cannot be redeemed here: This card has already been used up');
  });

  it('--json gives the balance in fen', async () => {
    const card = await giftCard(10_050);
    const result = await run('lookup', card.code, '--json');
    expect(result.code).toBe(0);
    expect(json<Record<string, unknown>>(result)).toMatchObject({ realCode: card.code, cardId: card.cardId, balanceFen: 10_050, problems: [] });
  });
});

describe('gcterm redeem', () => {
  it('--json prints the redemption and exits 0; the card is deducted once', async () => {
    const card = await giftCard(10_050);
    const result = await run('redeem', card.code, '35.50', '--json');
    expect(result.code).toBe(0);
    const row = json<RedemptionJson>(result);
    expect(row).toMatchObject({
      state: 'settled',
      code: card.code,
      realCode: card.code,
      cardId: card.cardId,
      amountFen: 3_550,
      balanceBeforeFen: 10_050,
      balanceAfterFen: 6_500,
      reason: null,
    });
    expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const after = await sim.code(card.code);
    expect(after.balanceFen).toBe(6_500);
    expect(deductions(after)).toHaveLength(1);
  });

  it('tells the cashier "approved" with the amount and the balance left, and the redemption id', async () => {
    const card = await giftCard(10_050);
    const zh = await run('redeem', card.code, '35.5');
    expect(zh.code).toBe(0);
    expect(zh.stdout).toContain('✔ 扣款成功 ¥35.50，余额 ¥65.00');
    expect(zh.stdout).toMatch(/交易号 [0-9a-f-]{36}/);
    const en = await run('redeem', card.code, '5', '--lang', 'en');
    expect(en.stdout).toContain('✔ APPROVED ¥5.00, balance ¥60.00');
  });

  it('a decline exits 2 with the reason in words, and deducts nothing', async () => {
    const card = await giftCard(1_000);
    const zh = await run('redeem', card.code, '10.01');
    expect(zh.code).toBe(2);
    expect(zh.stdout).toContain('✘ 拒绝：余额不足');
    const en = await run('redeem', card.code, '10.01', '--lang', 'en', '--json');
    expect(en.code).toBe(2);
    expect(json<RedemptionJson>(en)).toMatchObject({ state: 'declined', reason: 'insufficient_balance', message: '✘ DECLINED: Insufficient balance' });
    const unknown = await run('redeem', '688999999999', '1', '--lang', 'en');
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toContain('DECLINED: Invalid card code');
    expect((await sim.code(card.code)).balanceFen).toBe(1_000);
  });

  it.each([
    ['-1', '-1', '金额格式不对：请输入元，最多两位小数，例如 35 或 35.50'],
    ['0', '0', '金额必须大于 0'],
    ['1e3', '1e3', '金额格式不对'],
    ['12.345', '12.345', '金额最多两位小数'],
    ['３５ (fullwidth)', '３５', '金额格式不对'],
    ['empty', '', '请输入金额'],
    ['10,000 characters', 'x'.repeat(10_000), '金额格式不对'],
  ])('bad amount %s exits 1 with a clear message; nothing sent', async (_label, amount, message) => {
    const card = await giftCard(10_000);
    await sim.clearRequests();
    const result = await run('redeem', card.code, amount);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
    expect(result.stdout).toBe('');
    expect(await sim.requests()).toEqual([]);
  });

  it('bad amounts with --json: a machine-readable refusal on stdout', async () => {
    const card = await giftCard(10_000);
    const result = await run('redeem', card.code, '12.345', '--json', '--lang', 'en');
    expect(result.code).toBe(1);
    expect(json<Record<string, unknown>>(result)).toEqual({ error: 'amount_too_many_decimals', message: 'At most two decimals' });
  });

  it('a WeChat Pay payment code is refused as such (exit 1), never looked up', async () => {
    await sim.clearRequests();
    const result = await run('redeem', '134567890123456789', '10', '--lang', 'en');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('This is a WeChat Pay payment code, not a gift card');
    expect(await sim.requests()).toEqual([]);
  });

  it('a wrong AppSecret: declined with a message for the manager, and the secret is never printed', async () => {
    const card = await giftCard(10_000);
    const secret = 'wrongsecret0123456789abcdef012345';
    const result = await gcterm(['redeem', card.code, '1', '--lang', 'en'], { ...env, GCTERM_APPSECRET: secret });
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('DECLINED: Could not get a WeChat access token: ask the administrator to check the settings');
    expect(`${result.stdout}${result.stderr}`).not.toContain(secret);
    expect((await sim.code(card.code)).balanceFen).toBe(10_000);
  });
});

describe('gcterm journal', () => {
  it('--json and --csv list the redemptions as they happened', async () => {
    const card = await giftCard(10_050);
    const settled = await redeemJson(card.code, '35.50');
    const declined = await redeemJson(card.code, '500');
    expect([settled.state, declined.state]).toEqual(['settled', 'declined']);

    const listed = json<RedemptionJson[]>(await run('journal', '--all', '--json'));
    expect(listed.map((r) => [r.id, r.state, r.amountFen, r.balanceBeforeFen, r.balanceAfterFen, r.reason])).toEqual([
      [settled.id, 'settled', 3_550, 10_050, 6_500, null],
      [declined.id, 'declined', 50_000, 6_500, null, 'insufficient_balance'],
    ]);
    // The day of the redemption (local time) lists the same; another day lists nothing.
    const day = localDate(Date.parse(settled.createdAt));
    expect(json<RedemptionJson[]>(await run('journal', '--date', day, '--json')).map((r) => r.id)).toEqual([settled.id, declined.id]);
    expect(json<RedemptionJson[]>(await run('journal', '--date', '2001-01-01', '--json'))).toEqual([]);
    expect(json<RedemptionJson[]>(await run('journal', '--all', '--state', 'declined', '--json')).map((r) => r.id)).toEqual([declined.id]);

    const csv = await run('journal', '--all', '--csv', '--lang', 'en');
    expect(csv.code).toBe(0);
    const [header, ...rows] = parseCsv(csv.stdout);
    expect(header).toEqual(CSV_HEADER.map((key) => CSV_HEADERS.en[key]));
    const column = (row: readonly string[] | undefined, name: (typeof CSV_HEADER)[number]) => row?.[CSV_HEADER.indexOf(name)];
    expect(rows).toHaveLength(2);
    expect(rows.map((row) => column(row, 'id'))).toEqual([settled.id, declined.id]);
    expect(rows.map((row) => [column(row, 'amount'), column(row, 'balance_before'), column(row, 'balance_after'), column(row, 'state'), column(row, 'reason')])).toEqual([
      ['35.50', '100.50', '65.00', 'Settled', ''],
      ['500.00', '65.00', '', 'Declined', 'Insufficient balance'],
    ]);
    // The export shows codes masked, never in full.
    expect(rows.map((row) => column(row, 'code'))).toEqual([`•••• ${card.code.slice(-4)}`, `•••• ${card.code.slice(-4)}`]);
    expect(csv.stdout).not.toContain(card.code);
  });

  it('refuses a day that does not exist instead of listing another one', async () => {
    const result = await run('journal', '--date', '2024-02-30', '--json', '--lang', 'en');
    expect(result.code).toBe(1);
    expect(json<Record<string, unknown>>(result)).toMatchObject({ error: 'invalid_request' });
    expect((await run('journal', '--date', '2024-02-29', '--json')).code).toBe(0);
  });

  it('the human listing shows time, amount in ¥ and the state in words', async () => {
    const card = await giftCard(10_050);
    const settled = await redeemJson(card.code, '35.50');
    const result = await run('journal', '--all');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(settled.id.slice(0, 8));
    expect(result.stdout).toContain('¥35.50');
    expect(result.stdout).toContain('成功');
  });

  it('--csv cannot smuggle a formula into the manager’s spreadsheet', async () => {
    const card = await giftCard(10_000);
    const formula = '=HYPERLINK("http://evil.example","x")';
    const redeemed = await gcterm(['redeem', card.code, '1', '--json'], { ...env, GCTERM_CASHIER: formula });
    expect(redeemed.code).toBe(0);
    const [, row] = parseCsv((await run('journal', '--all', '--csv')).stdout);
    const cashier = row?.[CSV_HEADER.indexOf('cashier')] ?? '';
    // Still readable, but a spreadsheet no longer evaluates it.
    expect(cashier).toContain('HYPERLINK');
    expect(cashier).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('verify passes on an intact journal and, after a row is altered, fails (exit 1) naming the row', async () => {
    const card = await giftCard(10_000);
    const first = await redeemJson(card.code, '10');
    const second = await redeemJson(card.code, '20');
    const ok = await run('journal', 'verify');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('✔ 日志校验通过');

    const db = new Database(join(dir.path, 'journal.db'));
    try {
      db.prepare('UPDATE redemptions SET amount_fen = 1 WHERE id = ?').run(second.id);
    } finally {
      db.close();
    }
    const broken = await run('journal', 'verify');
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('✘ 日志校验失败');
    expect(broken.stdout).toContain(second.id);
    expect(broken.stdout).not.toContain(first.id);
    const brokenJson = await run('journal', 'verify', '--json');
    expect(brokenJson.code).toBe(1);
    expect(json<{ ok: boolean; brokenAt?: { problem: string } }>(brokenJson)).toMatchObject({ ok: false, brokenAt: { problem: expect.stringContaining(second.id) as unknown } });
  });

  it('verify names an altered event too', async () => {
    const card = await giftCard(10_000);
    await redeemJson(card.code, '10');
    const db = new Database(join(dir.path, 'journal.db'));
    let forged: { seq: number; kind: string } | undefined;
    try {
      // Someone rewrites what WeChat answered to the deduction.
      forged = db.prepare("SELECT seq, kind FROM events WHERE data LIKE '%result_balance%'").get() as { seq: number; kind: string } | undefined;
      expect(forged).toBeDefined();
      db.prepare("UPDATE events SET data = replace(data, '\"result_balance\":9000', '\"result_balance\":10000') WHERE seq = ?").run(forged?.seq);
      expect(db.prepare('SELECT changes() AS n').get()).toEqual({ n: 1 });
    } finally {
      db.close();
    }
    const broken = await run('journal', 'verify', '--lang', 'en');
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain(`✘ Journal chain broken: event ${forged?.seq} (${forged?.kind}) was altered`);
  });
});

describe('gcterm void', () => {
  it("restores the balance of today's redemption and says so", async () => {
    const card = await giftCard(10_050);
    const redeemed = await redeemJson(card.code, '35.50');
    expect((await sim.code(card.code)).balanceFen).toBe(6_500);

    const voided = await run('void', redeemed.id, '--manager-pin', '9999');
    expect(voided.code).toBe(0);
    expect(voided.stdout).toContain('↺ 已撤销 ¥35.50，余额恢复为 ¥100.50');
    expect((await sim.code(card.code)).balanceFen).toBe(10_050);
    const [row] = json<RedemptionJson[]>(await run('journal', '--all', '--json'));
    expect(row).toMatchObject({ id: redeemed.id, state: 'voided' });
    expect((await run('journal', 'verify')).code).toBe(0);

    const again = await run('void', redeemed.id, '--lang', 'en', '--manager-pin', '9999');
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('DECLINED: Only an approved redemption can be voided');
    expect((await sim.code(card.code)).balanceFen).toBe(10_050);
  });

  it('an unknown id exits 1 and says it was not found', async () => {
    const result = await run('void', '00000000-0000-4000-8000-000000000000', '--lang', 'en');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Redemption not found');
  });
});

describe('gcterm recover', () => {
  it('with nothing to do reports 0 and exits 0', async () => {
    const human = await run('recover');
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('已恢复 0 笔未完成交易');
    const machine = await run('recover', '--json');
    expect(machine.code).toBe(0);
    expect(json<unknown[]>(machine)).toEqual([]);
  });

  it('leaves finished redemptions alone', async () => {
    const card = await giftCard(10_000);
    await redeemJson(card.code, '10');
    await sim.clearRequests();
    const result = await run('recover', '--lang', 'en');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Recovered 0 unfinished redemption(s)');
    expect(await sim.requests()).toEqual([]);
  });
});
