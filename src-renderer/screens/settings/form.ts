/**
 * The Settings form model, apart from React: the form as typed (strings), built from what the core
 * says is saved (`toForm`), and the patch a save sends (`buildPatch`): only the keys the manager
 * changed, typed as the contract's SettingsPatch, so a save never sends back what it did not
 * touch. `isDirty` says whether leaving would drop edits. Unit-tested in test/ui/settings-form.test.ts.
 */
import type { SettingsView } from '../../../shared/contract.ts';
import type { Language } from '../../../shared/i18n/reasons.ts';
import { formatFen, parseYuanToFen } from '../../../shared/money.ts';
import type { HidMode, SerialFraming } from '../../../shared/scan/settings.ts';
import type { SettingsPatch, TokenPatch } from '../../../shared/settings-patch.ts';

export type Provider = SettingsView['tokenProvider'];
export const PROVIDERS: readonly Provider[] = ['sandbox', 'relay', 'appsecret', 'component', 'static'];
export type LimitKey = keyof SettingsView['offline'];
export const MONEY_LIMITS: readonly LimitKey[] = ['maxPerRedemptionFen', 'maxPerCardFen', 'maxExposureFen', 'unknownStaticCapFen', 'dynamicCapFen'];
export const FRAMINGS: readonly SerialFraming[] = ['cr', 'lf', 'crlf', 'stx-etx', 'idle'];
export const HID_MODES: readonly HidMode[] = ['auto', 'pos', 'keyboard'];
export const BAUD_RATES: readonly number[] = [9600, 19200, 38400, 57600, 115200];

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');
export const vidPid = (vendorId: number | null, productId: number | null): string => (vendorId === null || productId === null ? '' : `${hex4(vendorId)}:${hex4(productId)}`);

/** The scanner fields the form owns, as typed; the rest of the saved scanner settings is kept. */
export type ScannerForm = {
  serialEnabled: boolean;
  serialPath: string;
  serialBaud: string;
  serialFraming: SerialFraming;
  hidEnabled: boolean;
  hidDevice: string;
  hidMode: HidMode;
  wedgeMaxGapMs: string;
  wedgeMinLength: string;
  cameraEnabled: boolean;
};

export type Form = {
  sandbox: boolean;
  apiBase: string;
  provider: Provider;
  relayUrl: string;
  appid: string;
  secret: string;
  terminalId: string;
  locationId: string;
  merchantId: string;
  allowedCardIds: string;
  language: Language;
  limits: Record<LimitKey, string>;
  scanners: ScannerForm;
  idleLockMinutes: string;
};

export const toForm = (s: SettingsView): Form => ({
  // What is saved, not what runs: `sandbox` says how this start is connected, and connection
  // changes apply at the next start.
  sandbox: s.apiBase === null,
  apiBase: s.apiBase ?? '',
  provider: s.tokenProvider,
  relayUrl: s.tokenRelayUrl ?? '',
  appid: s.appid ?? '',
  secret: '',
  terminalId: s.terminalId,
  locationId: s.locationId ?? '',
  merchantId: s.merchantId ?? '',
  allowedCardIds: s.allowedCardIds.join('\n'),
  language: s.language,
  limits: {
    maxPerRedemptionFen: formatFen(s.offline.maxPerRedemptionFen),
    maxPerCardFen: formatFen(s.offline.maxPerCardFen),
    maxExposureFen: formatFen(s.offline.maxExposureFen),
    unknownStaticCapFen: formatFen(s.offline.unknownStaticCapFen),
    dynamicCapFen: formatFen(s.offline.dynamicCapFen),
    maxQueueAgeHours: String(s.offline.maxQueueAgeHours),
  },
  scanners: {
    serialEnabled: s.scanners.serial.enabled,
    serialPath: s.scanners.serial.path ?? '',
    serialBaud: String(s.scanners.serial.baudRate),
    serialFraming: s.scanners.serial.framing,
    hidEnabled: s.scanners.hid.enabled,
    hidDevice: vidPid(s.scanners.hid.vendorId, s.scanners.hid.productId),
    hidMode: s.scanners.hid.mode,
    wedgeMaxGapMs: String(s.scanners.wedge.maxGapMs),
    wedgeMinLength: String(s.scanners.wedge.minLength),
    cameraEnabled: s.scanners.camera.enabled,
  },
  idleLockMinutes: String(s.idleLockMinutes),
});

export const wholeNumber = (text: string, min: number, max: number): number | null => {
  if (!/^\d+$/.test(text.trim())) return null;
  const n = Number(text.trim());
  return n >= min && n <= max ? n : null;
};

type BuiltScanners = Readonly<{ ok: true; scanners: Record<string, unknown> }> | Readonly<{ ok: false; field: string }>;

/** The whole `scanners` object: the file keeps it as one value, so what the form does not show is sent back as saved. */
function buildScanners(form: ScannerForm, saved: SettingsView['scanners']): BuiltScanners {
  const path = form.serialPath.trim();
  if (form.serialEnabled && path === '') return { ok: false, field: 'serialPath' };
  const baudRate = wholeNumber(form.serialBaud, 300, 4_000_000);
  if (baudRate === null) return { ok: false, field: 'serialBaud' };
  const device = form.hidDevice.trim().toLowerCase();
  const ids = /^([0-9a-f]{4}):([0-9a-f]{4})$/.exec(device);
  if (device !== '' && !ids) return { ok: false, field: 'hidDevice' };
  if (form.hidEnabled && !ids) return { ok: false, field: 'hidDevice' };
  const maxGapMs = wholeNumber(form.wedgeMaxGapMs, 5, 1_000);
  if (maxGapMs === null) return { ok: false, field: 'wedgeMaxGapMs' };
  const minLength = wholeNumber(form.wedgeMinLength, 1, 512);
  if (minLength === null) return { ok: false, field: 'wedgeMinLength' };
  const vendorId = ids ? parseInt(ids[1] ?? '', 16) : null;
  const productId = ids ? parseInt(ids[2] ?? '', 16) : null;
  // A different device's usage page would match nothing: let the mode choose again.
  const usagePage = vendorId === saved.hid.vendorId && productId === saved.hid.productId ? saved.hid.usagePage : null;
  return {
    ok: true,
    scanners: {
      ...saved,
      serial: { ...saved.serial, enabled: form.serialEnabled, path: path === '' ? null : path, baudRate, framing: form.serialFraming },
      hid: { ...saved.hid, enabled: form.hidEnabled, vendorId, productId, usagePage, mode: form.hidMode },
      // Keys are held back longer than the widest gap, so a scanner's next key always comes first.
      wedge: { ...saved.wedge, maxGapMs, minLength, holdMs: Math.max(saved.wedge.holdMs, maxGapMs + 40) },
      camera: { ...saved.camera, enabled: form.cameraEnabled },
    },
  };
}

export type Built = Readonly<{ ok: true; patch: SettingsPatch }> | Readonly<{ ok: false; field: string }>;

/** Every key the form owns, as the contract's patch (before keeping only what changed). */
function fullPatch(form: Form, saved: SettingsView): Built {
  const offline: Record<string, number> = {};
  for (const key of MONEY_LIMITS) {
    const text = form.limits[key].trim();
    // A limit of 0 is meaningful (refuse), which parseYuanToFen treats as an error: allow it here.
    if (/^0+(\.0{1,2})?$/.test(text)) {
      offline[key] = 0;
      continue;
    }
    const parsed = parseYuanToFen(text);
    if (!parsed.ok) return { ok: false, field: key };
    offline[key] = parsed.fen;
  }
  const hours = Number(form.limits.maxQueueAgeHours);
  if (!Number.isFinite(hours) || hours < 0 || form.limits.maxQueueAgeHours.trim() === '') return { ok: false, field: 'maxQueueAgeHours' };
  offline.maxQueueAgeHours = hours;
  if (!form.sandbox && !/^https?:\/\/\S+$/.test(form.apiBase.trim())) return { ok: false, field: 'apiBase' };
  if (form.terminalId.trim() === '') return { ok: false, field: 'terminalId' };
  const scanners = buildScanners(form.scanners, saved.scanners);
  if (!scanners.ok) return scanners;

  const idle = wholeNumber(form.idleLockMinutes, 0, 24 * 60);
  if (idle === null) return { ok: false, field: 'idleLockMinutes' };

  // Secrets are write-only: one left empty keeps what is saved (the core keeps it for the same
  // provider and AppID), so it is only asked for when there is nothing saved to keep.
  let token: TokenPatch;
  if (form.sandbox) token = { provider: 'sandbox' };
  else if (form.provider === 'relay') {
    if (!/^https?:\/\/\S+$/.test(form.relayUrl.trim())) return { ok: false, field: 'relayUrl' };
    token = { provider: 'relay', url: form.relayUrl.trim() };
  } else if (form.provider === 'appsecret') {
    const appid = form.appid.trim();
    if (appid === '') return { ok: false, field: 'appid' };
    if (form.secret === '' && !(saved.tokenProvider === 'appsecret' && saved.appid === appid)) return { ok: false, field: 'secret' };
    token = { provider: 'appsecret', appid, ...(form.secret !== '' ? { secret: form.secret } : {}) };
  } else if (form.provider === 'static') {
    if (form.secret === '' && saved.tokenProvider !== 'static') return { ok: false, field: 'accessToken' };
    token = { provider: 'static', ...(form.secret !== '' ? { accessToken: form.secret } : {}) };
  } else if (saved.tokenProvider === 'component') token = { provider: 'component' };
  else return { ok: false, field: 'provider' };
  return {
    ok: true,
    patch: {
      apiBase: form.sandbox ? null : form.apiBase.trim(),
      token,
      terminalId: form.terminalId.trim(),
      locationId: form.locationId.trim() === '' ? null : form.locationId.trim(),
      merchantId: form.merchantId.trim() === '' ? null : form.merchantId.trim(),
      allowedCardIds: form.allowedCardIds.split(/[\s,]+/).filter(Boolean),
      language: form.language,
      offline,
      scanners: scanners.scanners as NonNullable<SettingsPatch['scanners']>,
      idleLockMinutes: idle,
    },
  };
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * The patch a save sends: only what the manager changed against what is saved (a limit changed
 * sends that limit; a typed secret sends the token). Refused with the field when the form cannot
 * be read.
 */
export function buildPatch(form: Form, saved: SettingsView): Built {
  const next = fullPatch(form, saved);
  if (!next.ok) return next;
  const before = fullPatch(toForm(saved), saved);
  const was: SettingsPatch = before.ok ? before.patch : {};
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(next.patch) as [keyof SettingsPatch, unknown][]) {
    const old = was[key];
    if (key === 'offline' || key === 'scanners') {
      const changed = Object.fromEntries(Object.entries(value as object).filter(([k, v]) => !same(v, (old as Record<string, unknown> | undefined)?.[k])));
      if (Object.keys(changed).length > 0) patch[key] = changed;
    } else if (key === 'token') {
      if (form.secret !== '' || !same(value, old)) patch.token = value;
    } else if (!same(value, old)) patch[key] = value;
  }
  return { ok: true, patch: patch as SettingsPatch };
}

/** Whether the form differs from what is saved: leaving would drop these edits. */
export const isDirty = (form: Form, saved: SettingsView): boolean => !same(form, toForm(saved));


