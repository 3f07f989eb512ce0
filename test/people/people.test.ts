/**
 * People and PINs (issue 11): add, rename, disable, PIN changes, the last manager, bad input,
 * the lockout after 5 wrong PINs with its journal trace, PBKDF2 hashes upgraded, the idle lock.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pbkdf2Sync } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCore, type Core } from '../../src-main/core.ts';
import { listPeople } from '../../src-main/journal/people.ts';
import { tempDir } from '../helpers/terminal.ts';

let dir: ReturnType<typeof tempDir>;
let core: Core;
let clock = Date.now();
const now = () => clock;
const today = () => new Date(clock).toLocaleDateString('sv-SE');

async function open(): Promise<Core> {
  // SANDBOX (the embedded simulator): nothing of a network is needed for people.
  return openCore({ dataDir: dir.path, env: { GCTERM_DATA_DIR: dir.path, GCTERM_SKIP_SETUP: '1' }, replayIntervalMs: 3_600_000, now });
}

beforeEach(async () => {
  clock = Date.now();
  dir = tempDir('gcterm-people-');
  core = await open();
});
afterEach(async () => {
  await core.close();
  dir.remove();
});

const events = (kind: string) =>
  (core.terminal.db.prepare('SELECT data FROM events WHERE kind = ? ORDER BY seq').all(kind) as { data: string }[]).map((e) => JSON.parse(e.data) as Record<string, unknown>);

describe('people', () => {
  it('are added, renamed, disabled and given new PINs; an old PIN is refused; all journaled without a PIN', async () => {
    const added = await core['people:add']({ managerPin: '9999', name: '  小王 ', role: 'cashier', pin: '4826' });
    expect(added.ok && added.value).toContainEqual({ name: '小王', role: 'cashier', active: true });
    expect(await core['session:signIn']({ pin: '4826' })).toMatchObject({ ok: true, value: { name: '小王', role: 'cashier' } });

    expect((await core['people:update']({ managerPin: '9999', name: '小王', rename: '王芳' })).ok).toBe(true);
    expect(await core['session:get']({})).toMatchObject({ ok: true, value: { name: '王芳' } }); // the session follows

    // Her own PIN: the current one first.
    expect(await core['session:changePin']({ currentPin: '1111', newPin: '5937' })).toMatchObject({ ok: false, error: { reason: 'pin_wrong' } });
    expect((await core['session:changePin']({ currentPin: '4826', newPin: '5937' })).ok).toBe(true);
    expect(await core['session:signIn']({ pin: '4826' })).toEqual({ ok: false, error: { reason: 'pin_wrong' } });
    expect(await core['session:signIn']({ pin: '5937' })).toMatchObject({ ok: true, value: { name: '王芳' } });

    // A manager resets the cashier's PIN; then disables her: her PIN no longer signs in.
    expect((await core['people:resetPin']({ managerPin: '9999', name: '收银员1', pin: '3141' })).ok).toBe(true);
    expect(await core['session:signIn']({ pin: '1234' })).toEqual({ ok: false, error: { reason: 'pin_wrong' } });
    expect(await core['session:signIn']({ pin: '3141' })).toMatchObject({ ok: true, value: { name: '收银员1' } });
    const disabled = await core['people:update']({ managerPin: '9999', name: '王芳', active: false });
    expect(disabled.ok && disabled.value).toContainEqual({ name: '王芳', role: 'cashier', active: false });
    expect(await core['session:signIn']({ pin: '5937' })).toEqual({ ok: false, error: { reason: 'pin_wrong' } });

    expect(events('people.added')).toEqual([{ by: '店长', terminal: 'T01', name: '小王', role: 'cashier' }]);
    expect(events('people.renamed')).toEqual([{ by: '店长', terminal: 'T01', name: '小王', to: '王芳' }]);
    expect(events('people.pin_changed')).toEqual([{ by: '王芳', terminal: 'T01', name: '王芳' }]);
    expect(events('people.pin_reset')).toEqual([{ by: '店长', terminal: 'T01', name: '收银员1' }]);
    expect(events('people.disabled')).toEqual([{ by: '店长', terminal: 'T01', name: '王芳' }]);
    const journal = JSON.stringify(core.terminal.db.prepare("SELECT data FROM events WHERE kind LIKE 'people.%'").all());
    for (const pin of ['4826', '5937', '3141']) expect(journal).not.toContain(pin);
    // Stored as scrypt hashes.
    expect(listPeople(core.terminal.db).every((p) => p.pin_hash.startsWith('scrypt$'))).toBe(true);
  });

  it('the last manager cannot be disabled or made a cashier; nobody disables themself', async () => {
    expect(await core['people:update']({ managerPin: '9999', name: '店长', role: 'cashier' })).toEqual({ ok: false, error: { reason: 'person_last_manager' } });
    expect(await core['people:update']({ managerPin: '9999', name: '店长', active: false })).toEqual({ ok: false, error: { reason: 'person_self' } });
    expect((await core['people:add']({ managerPin: '9999', name: '副店长', role: 'manager', pin: '7788' })).ok).toBe(true);
    expect(await core['people:update']({ managerPin: '7788', name: '副店长', active: false })).toEqual({ ok: false, error: { reason: 'person_self' } });
    // With a second manager, one may step down; then the other is the last again.
    expect((await core['people:update']({ managerPin: '7788', name: '店长', role: 'cashier' })).ok).toBe(true);
    expect(await core['people:update']({ managerPin: '7788', name: '副店长', role: 'cashier' })).toEqual({ ok: false, error: { reason: 'person_last_manager' } });
    expect(await core['settings:get']({ managerPin: '9999' })).toMatchObject({ ok: false, error: { reason: 'manager_required' } });
  });

  it('refuses bad PINs and names with a reason, saving nothing', async () => {
    const before = JSON.stringify(listPeople(core.terminal.db));
    const add = (name: string, pin: string) => core['people:add']({ managerPin: '9999', name, role: 'cashier', pin });
    expect(await add('甲', '12')).toEqual({ ok: false, error: { reason: 'pin_format' } });
    expect(await add('甲', '123456789')).toEqual({ ok: false, error: { reason: 'pin_format' } });
    expect(await add('甲', '12a4')).toEqual({ ok: false, error: { reason: 'pin_format' } });
    expect(await add('甲', '7777')).toEqual({ ok: false, error: { reason: 'pin_too_simple' } });
    expect(await add('甲', '1234')).toEqual({ ok: false, error: { reason: 'pin_unavailable' } }); // someone's PIN
    expect(await add('收银员1', '4826')).toEqual({ ok: false, error: { reason: 'person_name_taken' } });
    expect(await add('x'.repeat(10_000), '4826')).toEqual({ ok: false, error: { reason: 'person_name_invalid' } });
    expect(await add('甲\u0007乙', '4826')).toEqual({ ok: false, error: { reason: 'person_name_invalid' } });
    expect(await add('   ', '4826')).toEqual({ ok: false, error: { reason: 'person_name_invalid' } });
    expect(await core['people:update']({ managerPin: '9999', name: '收银员1', rename: '店长' })).toEqual({ ok: false, error: { reason: 'person_name_taken' } });
    expect(await core['people:update']({ managerPin: '9999', name: '无此人', active: false })).toEqual({ ok: false, error: { reason: 'person_unknown' } });
    expect(await core['people:add']({ managerPin: '1234', name: '甲', role: 'cashier', pin: '4826' })).toEqual({ ok: false, error: { reason: 'manager_required' } });
    expect(JSON.stringify(listPeople(core.terminal.db))).toBe(before);
  });

  it('an older PBKDF2 hash from settings.json still signs in and is upgraded to scrypt', async () => {
    await core.close();
    dir.remove();
    dir = tempDir('gcterm-people-');
    const salt = 'a1b2c3d4';
    const pbkdf2 = (pin: string) => `pbkdf2$${salt}$${pbkdf2Sync(pin, salt, 100_000, 32, 'sha256').toString('hex')}`;
    writeFileSync(
      join(dir.path, 'settings.json'),
      JSON.stringify({ people: [{ name: '老张', role: 'manager', pinHash: pbkdf2('2580') }, { name: '小李', role: 'cashier', pinHash: pbkdf2('1470') }] }),
    );
    core = await open();
    expect(await core['session:signIn']({ pin: '1234' })).toEqual({ ok: false, error: { reason: 'pin_wrong' } });
    expect(await core['session:signIn']({ pin: '1470' })).toMatchObject({ ok: true, value: { name: '小李' } });
    const hashes = Object.fromEntries(listPeople(core.terminal.db).map((p) => [p.name, p.pin_hash.split('$')[0]]));
    expect(hashes).toEqual({ 老张: 'pbkdf2', 小李: 'scrypt' });
  });
});

describe('the lockout', () => {
  it('after 5 wrong PINs a growing delay refuses even the right PIN; each failure journaled and listed at end of day', async () => {
    for (let i = 0; i < 4; i++) expect(await core['session:signIn']({ pin: `000${i}` })).toEqual({ ok: false, error: { reason: 'pin_wrong' } });
    expect(await core['session:signIn']({ pin: '0004' })).toEqual({ ok: false, error: { reason: 'pin_locked', params: { seconds: 30 } } });
    expect(await core['session:signIn']({ pin: '1234' })).toMatchObject({ ok: false, error: { reason: 'pin_locked' } });
    clock += 31_000;
    expect(await core['session:signIn']({ pin: '0005' })).toEqual({ ok: false, error: { reason: 'pin_locked', params: { seconds: 60 } } });
    clock += 61_000;
    expect(await core['session:signIn']({ pin: '1234' })).toMatchObject({ ok: true, value: { name: '收银员1' } });

    // Guessing the manager's PIN at a void counts separately: a cashier's own sign-in resets nothing there.
    for (let i = 0; i < 5; i++) await core['redemption:void']({ id: 'x', managerPin: `55${i}0` });
    expect(await core['redemption:void']({ id: 'x', managerPin: '9999' })).toMatchObject({ ok: false, error: { reason: 'pin_locked' } });
    await core['session:signIn']({ pin: '1234' });
    expect(await core['settings:get']({ managerPin: '9999' })).toMatchObject({ ok: false, error: { reason: 'pin_locked' } });

    expect(events('auth.pin_failed')).toHaveLength(11);
    expect(events('auth.pin_failed')[0]).toEqual({ terminal: 'T01', screen: 'sign_in', purpose: 'sign_in' });
    expect(events('auth.pin_failed').at(-1)).toEqual({ terminal: 'T01', screen: 'void', purpose: 'manager' });
    clock += 31_000;
    const failures = await core['auth:failures']({ managerPin: '9999', date: today() });
    expect(failures.ok && failures.value.map((f) => `${f.screen}/${f.terminalId}`)).toEqual([...Array(6).fill('sign_in/T01'), ...Array(5).fill('void/T01')]);
  });

  it('the lockout survives a restart (it is counted from the journal)', async () => {
    for (let i = 0; i < 5; i++) await core['session:signIn']({ pin: `000${i}` });
    await core.close();
    core = await open();
    expect(await core['session:signIn']({ pin: '1234' })).toMatchObject({ ok: false, error: { reason: 'pin_locked' } });
  });
});

describe('the idle lock', () => {
  it('signs out after the configured minutes without use', async () => {
    expect((await core['settings:update']({ managerPin: '9999', patch: { idleLockMinutes: 2 } })).ok).toBe(true);
    await core['session:signIn']({ pin: '1234' });
    clock += 90_000;
    expect((await core['journal:list']({})).ok).toBe(true); // a use: the two minutes start again
    clock += 90_000;
    expect(await core['card:lookup']({ code: '688000000001' })).not.toEqual({ ok: false, error: { reason: 'signed_out' } });
    clock += 121_000;
    expect(await core['card:lookup']({ code: '688000000001' })).toEqual({ ok: false, error: { reason: 'signed_out' } });
    expect(await core['session:get']({})).toEqual({ ok: true, value: { signedIn: false, name: null, role: null } });
  });
});
