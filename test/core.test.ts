import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CoreEvent } from '../shared/contract.ts';
import { openCore, type Core } from '../src-main/core.ts';
import { DEMO_MERCHANT_ID } from '../src-main/sim/index.ts';
import { DEFAULT_SCANNER_SETTINGS } from '../shared/scan/settings.ts';
import { startTestSim, type TestSim } from './helpers/sim.ts';
import { tempDir, terminalEnv } from './helpers/terminal.ts';

let sim: TestSim;
let dir: ReturnType<typeof tempDir>;
let core: Core;

beforeAll(async () => {
  sim = await startTestSim();
});
afterAll(async () => sim.close());
beforeEach(async () => {
  dir = tempDir();
  core = await openCore({ dataDir: dir.path, env: terminalEnv(sim.url, dir.path, { GCTERM_APPSECRET: 'sandbox0c1d2e3f4a5b6c7d8e9f0a1b2c3' }) });
});
afterEach(async () => {
  await core.close();
  dir.remove();
});

const today = () => new Date().toLocaleDateString('sv-SE');

describe('the core behind the counter UI', () => {
  it('requires a cashier to sign in before cards are looked up or redeemed', async () => {
    expect(await core['card:lookup']({ code: '688000000001' })).toEqual({ ok: false, error: { reason: 'signed_out' } });
    expect(await core['session:signIn']({ pin: '0000' })).toEqual({ ok: false, error: { reason: 'pin_wrong' } });
    expect(await core['session:signIn']({ pin: '1234' })).toEqual({ ok: true, value: { signedIn: true, name: '收银员1', role: 'cashier' } });
  });

  it('redeems as the signed-in cashier, pushes the change, and lists it with the day totals and a CSV', async () => {
    const card = await sim.createCard({ balanceFen: 10_000, merchantId: DEMO_MERCHANT_ID });
    await core['session:signIn']({ pin: '1234' });
    const events: CoreEvent[] = [];
    core.onEvent((e) => events.push(e));
    const lookup = await core['card:lookup']({ code: card.code });
    expect(lookup.ok && lookup.value).toMatchObject({ balanceFen: 10_000, problems: [], codeMasked: `•••• ${card.code.slice(-4)}` });
    const result = await core['redemption:submit']({ code: card.code, amount: '12.5' });
    expect(result.ok && result.value).toMatchObject({ state: 'settled', amountFen: 1250, balanceAfterFen: 8750, cashier: '收银员1' });
    expect(events.some((e) => e.type === 'redemption' && e.redemption.state === 'settled')).toBe(true);
    const list = await core['journal:list']({ date: today() });
    expect(list.ok && list.value.map((r) => r.amountFen)).toEqual([1250]);
    const summary = await core['journal:summary']({ date: today() });
    expect(summary.ok && summary.value.byState.settled).toEqual({ count: 1, amountFen: 1250 });
    // The CSV a manager opens: Chinese words by default, English by choice, the journal head last.
    const csv = await core['journal:exportCsv']({ date: today() });
    expect(csv.ok && csv.value.csv.split('\r\n')[1]).toContain(',12.50,100.00,87.50,成功,');
    expect(csv.ok && csv.value.csv.trimEnd().split('\r\n').at(-1)).toMatch(/^# journal head: seq \d+ /);
    const english = await core['journal:exportCsv']({ date: today(), language: 'en' });
    expect(english.ok && english.value.csv.split('\r\n')[1]).toContain(',12.50,100.00,87.50,Settled,');
  });

  it('refuses a void without the manager PIN and performs it with it', async () => {
    const card = await sim.createCard({ balanceFen: 10_000, merchantId: DEMO_MERCHANT_ID });
    await core['session:signIn']({ pin: '1234' });
    const redeemed = await core['redemption:submit']({ code: card.code, amount: '10' });
    const id = redeemed.ok ? redeemed.value.id : '';
    expect(await core['redemption:void']({ id, managerPin: '1234' })).toEqual({ ok: false, error: { reason: 'manager_required' } });
    const voided = await core['redemption:void']({ id, managerPin: '9999' });
    expect(voided.ok && voided.value.state).toBe('voided');
    expect((await sim.code(card.code)).balanceFen).toBe(10_000);
  });

  it('answers a malformed request with invalid_request, never an exception', async () => {
    const bad = core['redemption:submit'] as unknown as (r: unknown) => Promise<unknown>;
    expect(await bad({ code: 42 })).toMatchObject({ ok: false, error: { reason: 'invalid_request' } });
    expect(await bad(null)).toMatchObject({ ok: false, error: { reason: 'invalid_request' } });
  });

  it('never shows a saved secret again', async () => {
    const settings = await core['settings:get']({ managerPin: '9999' });
    expect(settings.ok && settings.value).toMatchObject({ tokenProvider: 'appsecret', appsecretSet: true });
    expect(JSON.stringify(settings)).not.toContain('sandbox0c1d2e3f');
  });

  it('shows the scanner settings with their defaults, and the devices it sees', async () => {
    const settings = await core['settings:get']({ managerPin: '9999' });
    if (!settings.ok) throw new Error('settings:get failed');
    expect(settings.value.scanners).toEqual(DEFAULT_SCANNER_SETTINGS);
    expect(Array.isArray(settings.value.devices.serial) && Array.isArray(settings.value.devices.hid)).toBe(true);
  });
});

describe('the language choice', () => {
  it('is remembered across a restart of the core', async () => {
    await core['language:set']({ language: 'en' });
    await core.close();
    core = await openCore({ dataDir: dir.path, env: terminalEnv(sim.url, dir.path) });
    const status = await core['status:get']({});
    expect(status.ok && status.value.language).toBe('en');
  });
});
