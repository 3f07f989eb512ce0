/**
 * The Settings form model (src-renderer/screens/settings/form.ts): a save sends only what the
 * manager changed, a secret left empty keeps the saved one, and leaving knows about unsaved edits.
 */
import { describe, expect, it } from 'vitest';
import type { SettingsView } from '../../shared/contract.ts';
import { DEFAULT_SCANNER_SETTINGS } from '../../shared/scan/settings.ts';
import { SettingsPatchSchema } from '../../shared/settings-patch.ts';
import { buildPatch, isDirty, toForm } from '../../src-renderer/screens/settings/form.ts';

const LIVE: SettingsView = {
  sandbox: false,
  apiBase: 'https://api.weixin.qq.com',
  tokenProvider: 'appsecret',
  tokenRelayUrl: null,
  appid: 'wx5a9d0c7e1b3f4a26',
  appsecretSet: true,
  terminalId: 'T07',
  locationId: '401000001',
  merchantId: '10086001',
  allowedCardIds: ['pCARD1'],
  language: 'zh-CN',
  offline: { maxPerRedemptionFen: 20_000, maxPerCardFen: 50_000, maxExposureFen: 200_000, maxQueueAgeHours: 72, unknownStaticCapFen: 0, dynamicCapFen: 10_000 },
  scanners: DEFAULT_SCANNER_SETTINGS,
  devices: { serial: [], hid: [] },
  idleLockMinutes: 5,
};

describe('the settings form model', () => {
  it('shows what is saved: a LIVE terminal opens as LIVE with its AppID, the secret never echoed', () => {
    const form = toForm(LIVE);
    expect(form).toMatchObject({ sandbox: false, apiBase: 'https://api.weixin.qq.com', provider: 'appsecret', appid: LIVE.appid, secret: '', idleLockMinutes: '5' });
    expect(isDirty(form, LIVE)).toBe(false);
  });

  it('a save of an untouched form sends nothing; one limit changed sends that limit only', () => {
    expect(buildPatch(toForm(LIVE), LIVE)).toEqual({ ok: true, patch: {} });
    const form = toForm(LIVE);
    const edited = { ...form, limits: { ...form.limits, maxPerRedemptionFen: '150.00' } };
    expect(isDirty(edited, LIVE)).toBe(true);
    const built = buildPatch(edited, LIVE);
    expect(built).toEqual({ ok: true, patch: { offline: { maxPerRedemptionFen: 15_000 } } });
    // What it sends is a valid contract patch: no token, so the credentials stay as saved.
    expect(SettingsPatchSchema.safeParse(built.ok && built.patch).success).toBe(true);
  });

  it('a language change sends the language only', () => {
    expect(buildPatch({ ...toForm(LIVE), language: 'en' }, LIVE)).toEqual({ ok: true, patch: { language: 'en' } });
  });

  it('a typed secret sends the token with it; a new AppID without its secret is refused', () => {
    expect(buildPatch({ ...toForm(LIVE), secret: 'new-secret' }, LIVE)).toEqual({ ok: true, patch: { token: { provider: 'appsecret', appid: LIVE.appid, secret: 'new-secret' } } });
    expect(buildPatch({ ...toForm(LIVE), appid: 'wxother' }, LIVE)).toEqual({ ok: false, field: 'secret' });
  });

  it('switching to SANDBOX sends the API base and the token; bad numbers name their field', () => {
    expect(buildPatch({ ...toForm(LIVE), sandbox: true }, LIVE)).toEqual({ ok: true, patch: { apiBase: null, token: { provider: 'sandbox' } } });
    expect(buildPatch({ ...toForm(LIVE), idleLockMinutes: 'soon' }, LIVE)).toEqual({ ok: false, field: 'idleLockMinutes' });
    const form = toForm(LIVE);
    expect(buildPatch({ ...form, limits: { ...form.limits, maxPerCardFen: '1.234' } }, LIVE)).toEqual({ ok: false, field: 'maxPerCardFen' });
  });
});
