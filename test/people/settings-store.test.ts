/**
 * Settings that change exactly what was asked (issue 11): the typed patch, the store, LIVE only
 * without the fresh-install PINs, and what the Settings screen reads back after a restart.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openCore, type Core } from '../../src-main/core.ts';
import { DEMO_LOCATION_ID, DEMO_MERCHANT_ID, SANDBOX_APPID, SANDBOX_SECRET } from '../../src-main/sim/index.ts';
import { startTestSim, type TestSim } from '../helpers/sim.ts';
import { tempDir } from '../helpers/terminal.ts';

let sim: TestSim;
let dir: ReturnType<typeof tempDir>;
let core: Core;

const LIVE_FILE = () => ({
  apiBase: sim.url,
  token: { provider: 'appsecret', appid: SANDBOX_APPID, secret: SANDBOX_SECRET },
  terminalId: 'T07',
  locationId: String(DEMO_LOCATION_ID),
  merchantId: String(DEMO_MERCHANT_ID),
  allowedCardIds: ['pCARD1', 'pCARD2'],
  offline: { maxPerRedemptionFen: 12_300, maxPerCardFen: 45_600, maxExposureFen: 99_900, maxQueueAgeHours: 24, unknownStaticCapFen: 0, dynamicCapFen: 500 },
});
const file = () => JSON.parse(readFileSync(join(dir.path, 'settings.json'), 'utf8')) as Record<string, unknown>;
const open = () => openCore({ dataDir: dir.path, env: { GCTERM_DATA_DIR: dir.path }, replayIntervalMs: 3_600_000 });

beforeAll(async () => {
  sim = await startTestSim();
});
afterAll(async () => sim.close());
afterEach(async () => {
  await core.close();
  dir.remove();
});

describe('a settings patch changes exactly the keys present', () => {
  beforeEach(async () => {
    dir = tempDir('gcterm-settings-');
    writeFileSync(join(dir.path, 'settings.json'), JSON.stringify(LIVE_FILE()));
    core = await open();
    // Credentials of a LIVE terminal cannot change while anybody knows the manager PIN (9999).
    expect((await core['people:resetPin']({ managerPin: '9999', name: '收银员1', pin: '2468' })).ok).toBe(true);
    expect((await core['people:resetPin']({ managerPin: '9999', name: '店长', pin: '8642' })).ok).toBe(true);
  });

  it('keeps the saved AppSecret when a limit is changed, and when the token is sent without it', async () => {
    const changed = await core['settings:update']({ managerPin: '8642', patch: { offline: { maxPerRedemptionFen: 7_000 } } });
    expect(changed.ok && changed.value).toMatchObject({ apiBase: sim.url, tokenProvider: 'appsecret', appsecretSet: true, offline: { maxPerRedemptionFen: 7_000, maxPerCardFen: 45_600 } });
    expect(file().token).toEqual({ provider: 'appsecret', appid: SANDBOX_APPID, secret: SANDBOX_SECRET });
    const sameToken = await core['settings:update']({ managerPin: '8642', patch: { token: { provider: 'appsecret', appid: SANDBOX_APPID } } });
    expect(sameToken.ok).toBe(true);
    expect(file().token).toEqual({ provider: 'appsecret', appid: SANDBOX_APPID, secret: SANDBOX_SECRET });
    // A different AppID without its secret cannot borrow the old one: refused, nothing saved.
    const otherApp = await core['settings:update']({ managerPin: '8642', patch: { token: { provider: 'appsecret', appid: 'wxother' } } });
    expect(otherApp).toEqual({ ok: false, error: { reason: 'invalid_request', params: { field: 'token.secret' } } });
    expect(file().token).toEqual({ provider: 'appsecret', appid: SANDBOX_APPID, secret: SANDBOX_SECRET });
  });

  it('a language change touches nothing else in the file', async () => {
    const before = file();
    expect(await core['language:set']({ language: 'en' })).toEqual({ ok: true, value: { language: 'en' } });
    expect(file()).toEqual({ ...before, language: 'en' });
    const viaSettings = await core['settings:update']({ managerPin: '8642', patch: { language: 'zh-CN' } });
    expect(viaSettings.ok).toBe(true);
    expect(file()).toEqual({ ...before, language: 'zh-CN' });
    const status = await core['status:get']({});
    expect(status.ok && status.value.language).toBe('zh-CN');
  });

  it('refuses unknown keys and bad values whole, saving nothing', async () => {
    const before = readFileSync(join(dir.path, 'settings.json'), 'utf8');
    const send = core['settings:update'] as unknown as (r: unknown) => Promise<unknown>;
    expect(await send({ managerPin: '8642', patch: { people: [] } })).toMatchObject({ ok: false, error: { reason: 'invalid_request' } });
    expect(await send({ managerPin: '8642', patch: { language: 'fr', terminalId: 'T99' } })).toMatchObject({ ok: false, error: { reason: 'invalid_request' } });
    expect(await send({ managerPin: '8642', patch: { offline: { maxPerCardFen: -1 } } })).toMatchObject({ ok: false, error: { reason: 'invalid_request' } });
    expect(readFileSync(join(dir.path, 'settings.json'), 'utf8')).toBe(before);
  });

  it('applies new offline limits at once (the engine reads the store)', async () => {
    await core['settings:update']({ managerPin: '8642', patch: { offline: { maxExposureFen: 1_234 } } });
    expect(core.terminal.config.settings.offline.maxExposureFen).toBe(1_234);
    const status = await core['status:get']({});
    expect(status.ok && status.value.offlineExposureLimitFen).toBe(1_234);
  });
});

describe('going LIVE', () => {
  beforeEach(async () => {
    dir = tempDir('gcterm-live-');
    writeFileSync(join(dir.path, 'settings.json'), JSON.stringify({ language: 'zh-CN' }));
    core = await open();
  });

  const live = () => ({ apiBase: sim.url, token: { provider: 'appsecret' as const, appid: SANDBOX_APPID, secret: SANDBOX_SECRET } });

  it('is refused while 1234 or 9999 is still a PIN, then saved and shown as LIVE after a restart', async () => {
    expect(await core['settings:update']({ managerPin: '9999', patch: live() })).toEqual({ ok: false, error: { reason: 'pin_default_live' } });
    expect(file().apiBase).toBeUndefined();
    expect((await core['people:resetPin']({ managerPin: '9999', name: '收银员1', pin: '2468' })).ok).toBe(true);
    expect(await core['settings:update']({ managerPin: '9999', patch: live() })).toEqual({ ok: false, error: { reason: 'pin_default_live' } });
    expect((await core['people:resetPin']({ managerPin: '9999', name: '店长', pin: '8642' })).ok).toBe(true);
    const saved = await core['settings:update']({ managerPin: '8642', patch: live() });
    expect(saved.ok && saved.value).toMatchObject({ apiBase: sim.url, tokenProvider: 'appsecret', appid: SANDBOX_APPID, appsecretSet: true });

    // Reopened: the Settings screen reads what is saved (LIVE), and this start runs LIVE.
    await core.close();
    core = await open();
    const reopened = await core['settings:get']({ managerPin: '8642' });
    expect(reopened.ok && reopened.value).toMatchObject({ sandbox: false, apiBase: sim.url, tokenProvider: 'appsecret', appsecretSet: true });
    expect(JSON.stringify(reopened)).not.toContain(SANDBOX_SECRET);
  });
});
