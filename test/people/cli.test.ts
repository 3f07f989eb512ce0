/**
 * The CLI with the same authority as the UI (issue 11): `gcterm void` needs a manager's PIN (not a
 * name in GCTERM_CASHIER), takes the id prefix `gcterm journal` prints, names the candidates of an
 * ambiguous one; `gcterm people` manages people; `gcterm setup` installs from flags.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_LOCATION_ID, DEMO_MERCHANT_ID, SANDBOX_APPID, SANDBOX_SECRET } from '../../src-main/sim/index.ts';
import { startTestSim, type TestSim } from '../helpers/sim.ts';
import { tempDir, terminalEnv } from '../helpers/terminal.ts';
import { gcterm } from '../cli/run-gcterm.ts';

let sim: TestSim;
let dir: ReturnType<typeof tempDir>;
let env: Record<string, string>;

beforeAll(async () => {
  sim = await startTestSim();
});
afterAll(async () => sim.close());
beforeEach(() => {
  dir = tempDir('gcterm-cli-people-');
  env = terminalEnv(sim.url, dir.path);
});
afterEach(() => dir.remove());

const run = (...args: string[]) => gcterm(args, env);

async function redeem(amount: string): Promise<string> {
  const card = await sim.createCard({ balanceFen: 10_000, merchantId: DEMO_MERCHANT_ID });
  const result = await run('redeem', card.code, amount, '--json');
  return (JSON.parse(result.stdout) as { id: string }).id;
}

const stateOf = (id: string): string => {
  const db = new Database(join(dir.path, 'journal.db'), { readonly: true });
  try {
    return (db.prepare('SELECT state FROM redemptions WHERE id = ?').get(id) as { state: string }).state;
  } finally {
    db.close();
  }
};

describe('gcterm void', () => {
  it('refuses without a manager PIN, even as GCTERM_CASHIER=店长, and voids by the journal prefix with it', async () => {
    const id = await redeem('12.00');
    const journal = await run('journal');
    const prefix = id.slice(0, 8);
    expect(journal.stdout).toContain(prefix);

    const named = await gcterm(['void', prefix, '--lang', 'en'], { ...env, GCTERM_CASHIER: '店长' });
    expect(named.code).toBe(1);
    expect(named.stderr).toContain('Manager PIN required');
    expect(stateOf(id)).toBe('settled');

    const cashierPin = await run('void', prefix, '--manager-pin', '1234', '--lang', 'en');
    expect(cashierPin.code).toBe(1);
    expect(stateOf(id)).toBe('settled');

    const voided = await run('void', prefix, '--manager-pin', '9999');
    expect(voided.code).toBe(0);
    expect(stateOf(id)).toBe('voided');
    // Credited to the manager whose PIN it was.
    const db = new Database(join(dir.path, 'journal.db'), { readonly: true });
    const event = db.prepare("SELECT data FROM events WHERE kind = 'auth.pin_failed'").all() as { data: string }[];
    db.close();
    expect(event.map((e) => JSON.parse(e.data))).toContainEqual({ terminal: 'T01', screen: 'cli void', purpose: 'manager' });
  });

  it('an ambiguous prefix lists the candidates and voids nothing', async () => {
    const first = await redeem('1.00');
    const second = await redeem('2.00');
    // Two ids sharing their first 8 characters (1 in 4 billion by chance): made so by hand.
    const twin = `${first.slice(0, 8)}${second.slice(8)}`;
    const db = new Database(join(dir.path, 'journal.db'));
    db.prepare('UPDATE redemptions SET id = ? WHERE id = ?').run(twin, second);
    db.close();
    const result = await run('void', first.slice(0, 8), '--manager-pin', '9999', '--lang', 'en');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('matches 2 redemptions');
    expect(result.stderr).toContain(first);
    expect(result.stderr).toContain(twin);
    expect([stateOf(first), stateOf(twin)]).toEqual(['settled', 'settled']);
    // The whole id is unique.
    expect((await run('void', first, '--manager-pin', '9999')).code).toBe(0);
    expect(stateOf(first)).toBe('voided');
  });
});

describe('gcterm people', () => {
  it('adds, renames, disables and re-PINs people with a manager PIN; refuses without one and keeps the last manager', async () => {
    const refused = await run('people', 'add', '小王', '--pin', '4826', '--lang', 'en');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Manager PIN required');

    expect((await run('people', 'add', '小王', '--pin', '4826', '--manager-pin', '9999')).code).toBe(0);
    expect((await run('people', 'rename', '小王', '王芳', '--manager-pin', '9999')).code).toBe(0);
    expect((await run('people', 'set-pin', '王芳', '--pin', '5937', '--manager-pin', '9999')).code).toBe(0);
    expect((await run('people', 'disable', '收银员1', '--manager-pin', '9999')).code).toBe(0);
    const listed = await run('people', 'list', '--manager-pin', '9999', '--json');
    expect(JSON.parse(listed.stdout)).toEqual([
      { name: '店长', role: 'manager', active: true },
      { name: '收银员1', role: 'cashier', active: false },
      { name: '王芳', role: 'cashier', active: true },
    ]);

    const last = await run('people', 'disable', '店长', '--manager-pin', '9999', '--lang', 'en');
    expect(last.code).toBe(1);
    expect(last.stderr).toContain('You cannot disable yourself');
    const demote = await run('people', 'role', '店长', 'cashier', '--manager-pin', '9999', '--lang', 'en');
    expect(demote.code).toBe(1);
    expect(demote.stderr).toContain('The last manager cannot be disabled or made a cashier');

    const weak = await run('people', 'set-pin', '王芳', '--pin', '0000', '--manager-pin', '9999');
    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain('PIN 码不能全部是同一个数字');
  });
});

describe('gcterm setup', () => {
  // A fresh data directory and nothing from the environment: a first start.
  const fresh = () => ({ GCTERM_DATA_DIR: dir.path, GCTERM_TIMEOUT_MS: '2000' });
  const liveFlags = () => [
    'setup',
    '--mode', 'appsecret', '--api-base', sim.url, '--appid', SANDBOX_APPID,
    '--location-id', String(DEMO_LOCATION_ID), '--merchant-id', String(DEMO_MERCHANT_ID), '--terminal-id', 'T05', '--language', 'en',
  ];

  it('installs LIVE from flags non-interactively, tests the connection, and the terminal then redeems', async () => {
    const card = await sim.createCard({ balanceFen: 5_000, merchantId: DEMO_MERCHANT_ID, title: '测试礼品卡' });
    const result = await gcterm([...liveFlags(), '--card-id', card.cardId, '--pin', '收银员1=2468', '--pin', '店长=8642', '--json'], { ...fresh(), GCTERM_SETUP_APPSECRET: SANDBOX_SECRET });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, mode: 'appsecret', apiBase: sim.url, terminalId: 'T05', language: 'en', pinsChanged: ['收银员1', '店长'] });
    const saved = JSON.parse(readFileSync(join(dir.path, 'settings.json'), 'utf8')) as Record<string, unknown>;
    expect(saved).toMatchObject({ apiBase: sim.url, terminalId: 'T05', token: { provider: 'appsecret', appid: SANDBOX_APPID } });

    const redeemed = await gcterm(['redeem', card.code, '12.50', '--json'], fresh());
    expect(JSON.parse(redeemed.stdout)).toMatchObject({ state: 'settled', amountFen: 1_250 });
    // The old PINs are gone: a void needs the new manager PIN.
    const id = (JSON.parse(redeemed.stdout) as { id: string }).id;
    expect((await gcterm(['void', id, '--manager-pin', '9999'], fresh())).code).toBe(1);
    expect((await gcterm(['void', id, '--manager-pin', '8642'], fresh())).code).toBe(0);
  });

  it('refuses LIVE while 1234 / 9999 is still a PIN, a wrong secret and an unreachable API base — saving nothing', async () => {
    const defaults = await gcterm([...liveFlags(), '--lang', 'en'], { ...fresh(), GCTERM_SETUP_APPSECRET: SANDBOX_SECRET });
    expect(defaults.code).toBe(1);
    expect(defaults.stderr).toContain('LIVE is refused while a default PIN (1234 / 9999) is still in use: change the PINs first');

    const wrong = await gcterm([...liveFlags(), '--lang', 'en', '--pin', '收银员1=2468', '--pin', '店长=8642'], { ...fresh(), GCTERM_SETUP_APPSECRET: 'not-the-secret' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('The credentials were refused');

    const flags = liveFlags();
    flags[flags.indexOf('--api-base') + 1] = 'http://127.0.0.1:9';
    const unreachable = await gcterm([...flags, '--lang', 'en', '--pin', '收银员1=2468', '--pin', '店长=8642'], { ...fresh(), GCTERM_SETUP_APPSECRET: SANDBOX_SECRET });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain('The API base cannot be reached');

    expect(() => readFileSync(join(dir.path, 'settings.json'))).toThrow();
    // And the PINs are still the fresh-install ones.
    expect((await gcterm(['people', 'list', '--manager-pin', '9999'], fresh())).code).toBe(0);
  });
});
