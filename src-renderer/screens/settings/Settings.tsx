/**
 * Settings, behind the manager PIN: sandbox or live, the token provider and its credentials,
 * terminal/location/merchant ids, offline limits, scanners (with a live scan test) and language.
 *
 * Secrets are write-only: the form never receives them (SettingsView says only "set / not set"),
 * a typed secret is sent once with the save and the field is cleared afterwards. The PIN typed to
 * open the screen is kept in memory only while the screen is open, for the save request.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { SettingsView } from '../../../shared/contract.ts';
import { classifyCode } from '../../../shared/codes.ts';
import { LANGUAGES, type Language } from '../../../shared/i18n/reasons.ts';
import { formatFen, parseYuanToFen } from '../../../shared/money.ts';
import type { HidMode, SerialFraming } from '../../../shared/scan/settings.ts';
import { useApp } from '../../app/context.tsx';
import { changeLanguage, reasonText } from '../../i18n/index.ts';
import { formatTime } from '../../format.ts';
import { startScanInput } from '../redeem/scan-input.ts';

type Provider = SettingsView['tokenProvider'];
const PROVIDERS: readonly Provider[] = ['sandbox', 'relay', 'appsecret', 'component', 'static'];
type LimitKey = keyof SettingsView['offline'];
const MONEY_LIMITS: readonly LimitKey[] = ['maxPerRedemptionFen', 'maxPerCardFen', 'maxExposureFen', 'unknownStaticCapFen', 'dynamicCapFen'];
const FRAMINGS: readonly SerialFraming[] = ['cr', 'lf', 'crlf', 'stx-etx', 'idle'];
const HID_MODES: readonly HidMode[] = ['auto', 'pos', 'keyboard'];
const BAUD_RATES: readonly number[] = [9600, 19200, 38400, 57600, 115200];

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');
const vidPid = (vendorId: number | null, productId: number | null): string => (vendorId === null || productId === null ? '' : `${hex4(vendorId)}:${hex4(productId)}`);

/** The scanner fields the form owns, as typed; the rest of the saved scanner settings is kept. */
type ScannerForm = {
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

type Form = {
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
};

const toForm = (s: SettingsView): Form => ({
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
});

const wholeNumber = (text: string, min: number, max: number): number | null => {
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

type Built = Readonly<{ ok: true; patch: Record<string, unknown> }> | Readonly<{ ok: false; field: string }>;

/** The patch in the settings file's own shape (src-main/config.ts), only what the form owns. */
function buildPatch(form: Form, saved: SettingsView): Built {
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

  // The token is replaced whole or not at all: the core never sends a saved secret back, so a
  // secret left empty means "keep what is saved", which only works if nothing else changed.
  let token: Record<string, unknown> | null;
  if (form.sandbox) token = { provider: 'sandbox' };
  else if (form.provider === 'relay') {
    if (!/^https?:\/\/\S+$/.test(form.relayUrl.trim())) return { ok: false, field: 'relayUrl' };
    token = { provider: 'relay', url: form.relayUrl.trim() };
  } else if (form.provider === 'appsecret') {
    if (form.appid.trim() === '') return { ok: false, field: 'appid' };
    if (form.secret !== '') token = { provider: 'appsecret', appid: form.appid.trim(), secret: form.secret };
    else if (saved.tokenProvider === 'appsecret' && saved.appid === form.appid.trim()) token = null;
    else return { ok: false, field: 'secret' };
  } else if (form.provider === 'static') {
    if (form.secret !== '') token = { provider: 'static', accessToken: form.secret };
    else if (saved.tokenProvider === 'static') token = null;
    else return { ok: false, field: 'accessToken' };
  } else if (saved.tokenProvider === 'component') token = null;
  else return { ok: false, field: 'provider' };
  return {
    ok: true,
    patch: {
      apiBase: form.sandbox ? null : form.apiBase.trim(),
      ...(token ? { token } : {}),
      terminalId: form.terminalId.trim(),
      locationId: form.locationId.trim() === '' ? null : form.locationId.trim(),
      merchantId: form.merchantId.trim() === '' ? null : form.merchantId.trim(),
      allowedCardIds: form.allowedCardIds.split(/[\s,]+/).filter(Boolean),
      language: form.language,
      offline,
      scanners: scanners.scanners,
    },
  };
}

export function Settings({ onClose }: Readonly<{ onClose(): void }>) {
  const { t } = useTranslation();
  const { call, askManager, refreshStatus } = useApp();
  const [settings, setSettings] = useState<SettingsView | null>(null);
  const [form, setForm] = useState<Form | null>(null);
  const [message, setMessage] = useState<Readonly<{ kind: 'ok' | 'error'; text: string }> | null>(null);
  const [saving, setSaving] = useState(false);
  const pin = useRef<string | null>(null);
  const asked = useRef(false);

  useEffect(() => {
    // Strict mode runs effects twice in development; one PIN prompt is enough.
    if (asked.current) return;
    asked.current = true;
    void (async () => {
      const went = await askManager(t('settings.unlock'), async (managerPin) => {
        const result = await call('settings:get', { managerPin });
        if (!result) return 'done';
        if (!result.ok) {
          if (result.error.reason === 'pin_wrong') return 'pin_problem_wrong';
          if (result.error.reason === 'manager_required') return 'pin_problem_not_manager';
          setMessage({ kind: 'error', text: reasonText(t, result.error) });
          return 'done';
        }
        pin.current = managerPin;
        setSettings(result.value);
        setForm(toForm(result.value));
        return 'done';
      });
      if (!went) onClose();
    })();
    return () => {
      pin.current = null;
    };
  }, [askManager, call, onClose, t]);

  if (!settings || !form) {
    return (
      <main className="screen settings locked" aria-label={t('screen.settings')}>
        <p className="muted">{t('settings.locked')}</p>
        {message && <p role="alert">{message.text}</p>}
      </main>
    );
  }

  const set = (patch: Partial<Form>): void => setForm({ ...form, ...patch });
  const setScanner = (patch: Partial<ScannerForm>): void => set({ scanners: { ...form.scanners, ...patch } });
  const sc = form.scanners;
  const save = (event: FormEvent): void => {
    event.preventDefault();
    const built = buildPatch(form, settings);
    if (!built.ok) {
      setMessage({ kind: 'error', text: t('settings.invalidField', { field: t(`settings.field.${built.field}`) }) });
      return;
    }
    if (!pin.current) return;
    setSaving(true);
    setMessage(null);
    void (async () => {
      const result = await call('settings:update', { managerPin: pin.current ?? '', patch: built.patch });
      setSaving(false);
      if (!result) return;
      if (!result.ok) {
        // The core names the first field it refused ("offline.maxPerCardFen"): name it too.
        const field = result.error.params?.field;
        const label = typeof field === 'string' && field !== '' ? t(`settings.field.${field.split('.').pop() ?? field}`, { defaultValue: field }) : null;
        return setMessage({ kind: 'error', text: label ? t('settings.invalidField', { field: label }) : reasonText(t, result.error) });
      }
      setSettings(result.value);
      setForm(toForm(result.value));
      setMessage({ kind: 'ok', text: t('settings.saved') });
      await changeLanguage(result.value.language);
      await refreshStatus();
    })();
  };

  return (
    <main className="screen settings" aria-label={t('screen.settings')}>
      <form className="settings-form" onSubmit={save} data-testid="settings-form">
        <fieldset>
          <legend>{t('settings.connection')}</legend>
          <div className="radio-row" role="radiogroup" aria-label={t('settings.mode')}>
            <label>
              <input type="radio" name="mode" checked={form.sandbox} onChange={() => set({ sandbox: true })} /> {t('settings.sandbox')}
            </label>
            <label>
              <input
                type="radio"
                name="mode"
                checked={!form.sandbox}
                onChange={() => set({ sandbox: false, provider: form.provider === 'sandbox' ? 'relay' : form.provider })}
              />{' '}
              {t('settings.live')}
            </label>
          </div>
          {settings.sandbox !== (settings.apiBase === null) && (
            <p className="settings-restart" role="status" data-testid="settings-restart">
              {t('settings.restartToApply')}
            </p>
          )}
          {!form.sandbox && (
            <>
              <label>
                {t('settings.field.apiBase')}
                <input type="url" value={form.apiBase} placeholder="https://api.weixin.qq.com" onChange={(e) => set({ apiBase: e.target.value })} />
              </label>
              <label>
                {t('settings.field.provider')}
                <select value={form.provider} onChange={(e) => set({ provider: e.target.value as Provider, secret: '' })}>
                  {PROVIDERS.filter((p) => p !== 'sandbox').map((p) => (
                    <option key={p} value={p}>
                      {t(`settings.provider.${p}`)}
                    </option>
                  ))}
                </select>
              </label>
              {form.provider === 'relay' && (
                <label>
                  {t('settings.field.relayUrl')}
                  <input type="url" value={form.relayUrl} onChange={(e) => set({ relayUrl: e.target.value })} />
                </label>
              )}
              {form.provider === 'appsecret' && (
                <>
                  <label>
                    AppID
                    <input value={form.appid} autoComplete="off" onChange={(e) => set({ appid: e.target.value })} />
                  </label>
                  <label>
                    AppSecret <span className="muted small">{settings.appsecretSet ? t('settings.secretSet') : t('settings.secretNotSet')}</span>
                    <input type="password" value={form.secret} autoComplete="new-password" placeholder={settings.appsecretSet ? t('settings.secretKeep') : ''} onChange={(e) => set({ secret: e.target.value })} />
                  </label>
                </>
              )}
              {form.provider === 'static' && (
                <label>
                  {t('settings.field.accessToken')}
                  <input type="password" value={form.secret} autoComplete="new-password" onChange={(e) => set({ secret: e.target.value })} />
                </label>
              )}
              {form.provider === 'component' && <p className="muted small">{t('settings.componentHint')}</p>}
              <p className="muted small">{t('settings.secretsHint')}</p>
            </>
          )}
        </fieldset>
        <fieldset>
          <legend>{t('settings.terminal')}</legend>
          <label>
            {t('settings.field.terminalId')}
            <input value={form.terminalId} maxLength={64} onChange={(e) => set({ terminalId: e.target.value })} />
          </label>
          <label>
            {t('settings.field.locationId')}
            <input value={form.locationId} maxLength={64} onChange={(e) => set({ locationId: e.target.value })} />
          </label>
          <label>
            {t('settings.field.merchantId')}
            <input value={form.merchantId} maxLength={64} onChange={(e) => set({ merchantId: e.target.value })} />
          </label>
          <label>
            {t('settings.field.allowedCardIds')}
            <textarea rows={2} value={form.allowedCardIds} onChange={(e) => set({ allowedCardIds: e.target.value })} />
          </label>
          <label>
            {t('settings.field.language')}
            <select value={form.language} onChange={(e) => set({ language: e.target.value as Language })}>
              {LANGUAGES.map((l) => (
                <option key={l} value={l}>
                  {l === 'en' ? 'English' : '简体中文'}
                </option>
              ))}
            </select>
          </label>
        </fieldset>
        <fieldset>
          <legend>{t('settings.offline')}</legend>
          {(['maxPerRedemptionFen', 'maxPerCardFen', 'maxExposureFen', 'unknownStaticCapFen', 'dynamicCapFen', 'maxQueueAgeHours'] as const).map((key) => (
            <label key={key}>
              {t(`settings.field.${key}`)}
              <span className="input-with-unit">
                {key !== 'maxQueueAgeHours' && <span>¥</span>}
                <input
                  inputMode="decimal"
                  value={form.limits[key]}
                  onChange={(e) => set({ limits: { ...form.limits, [key]: e.target.value } })}
                />
                {key === 'maxQueueAgeHours' && <span>{t('settings.hours')}</span>}
              </span>
            </label>
          ))}
        </fieldset>
        <fieldset data-testid="scanner-settings">
          <legend>{t('settings.scannerSetup')}</legend>
          <p className="muted small">
            {t('settings.scannersRestart')}
          </p>
          <div className="radio-row">
            <label>
              <input type="checkbox" checked={sc.serialEnabled} onChange={(e) => setScanner({ serialEnabled: e.target.checked })} /> {t('settings.field.serialEnabled')}
            </label>
          </div>
          <label>
            {t('settings.field.serialPorts')}
            <select value={settings.devices.serial.some((p) => p.path === sc.serialPath) ? sc.serialPath : ''} onChange={(e) => e.target.value !== '' && setScanner({ serialPath: e.target.value })}>
              <option value="">{settings.devices.serial.length === 0 ? t('settings.noDevices') : t('settings.pickDevice')}</option>
              {settings.devices.serial.map((p) => (
                <option key={p.path} value={p.path}>
                  {p.path}
                  {p.vendorId && p.productId ? ` ${p.vendorId}:${p.productId}` : ''}
                  {p.label ? ` ${p.label}` : ''}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('settings.field.serialPath')}
            <input value={sc.serialPath} placeholder="/dev/ttyUSB0, COM3" autoComplete="off" onChange={(e) => setScanner({ serialPath: e.target.value })} />
          </label>
          <label>
            {t('settings.field.serialBaud')}
            <input inputMode="numeric" list="gcterm-baud-rates" value={sc.serialBaud} onChange={(e) => setScanner({ serialBaud: e.target.value })} />
            <datalist id="gcterm-baud-rates">
              {BAUD_RATES.map((b) => (
                <option key={b} value={b} />
              ))}
            </datalist>
          </label>
          <label>
            {t('settings.field.serialFraming')}
            <select value={sc.serialFraming} onChange={(e) => setScanner({ serialFraming: e.target.value as SerialFraming })}>
              {FRAMINGS.map((f) => (
                <option key={f} value={f}>
                  {t(`settings.framing.${f}`)}
                </option>
              ))}
            </select>
          </label>
          <div className="radio-row">
            <label>
              <input type="checkbox" checked={sc.hidEnabled} onChange={(e) => setScanner({ hidEnabled: e.target.checked })} /> {t('settings.field.hidEnabled')}
            </label>
          </div>
          <label>
            {t('settings.field.hidDevices')}
            <select
              value={settings.devices.hid.some((d) => vidPid(d.vendorId, d.productId) === sc.hidDevice) ? sc.hidDevice : ''}
              onChange={(e) => e.target.value !== '' && setScanner({ hidDevice: e.target.value })}
            >
              <option value="">{settings.devices.hid.length === 0 ? t('settings.noDevices') : t('settings.pickDevice')}</option>
              {settings.devices.hid.map((d) => {
                const id = vidPid(d.vendorId, d.productId);
                return (
                  <option key={id} value={id}>
                    {id}
                    {d.product ? ` ${d.product}` : ''}
                    {d.usagePage === 0x8c ? ` (${t('settings.hidPos')})` : ''}
                  </option>
                );
              })}
            </select>
          </label>
          <label>
            {t('settings.field.hidDevice')}
            <input value={sc.hidDevice} placeholder="0c2e:0b61" autoComplete="off" onChange={(e) => setScanner({ hidDevice: e.target.value })} />
          </label>
          <label>
            {t('settings.field.hidMode')}
            <select value={sc.hidMode} onChange={(e) => setScanner({ hidMode: e.target.value as HidMode })}>
              {HID_MODES.map((m) => (
                <option key={m} value={m}>
                  {t(`settings.hidMode.${m}`)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('settings.field.wedgeMaxGapMs')}
            <span className="input-with-unit">
              <input inputMode="numeric" value={sc.wedgeMaxGapMs} onChange={(e) => setScanner({ wedgeMaxGapMs: e.target.value })} />
              <span>ms</span>
            </span>
          </label>
          <label>
            {t('settings.field.wedgeMinLength')}
            <input inputMode="numeric" value={sc.wedgeMinLength} onChange={(e) => setScanner({ wedgeMinLength: e.target.value })} />
          </label>
          <div className="radio-row">
            <label>
              <input type="checkbox" checked={sc.cameraEnabled} onChange={(e) => setScanner({ cameraEnabled: e.target.checked })} /> {t('settings.field.cameraEnabled')}
            </label>
          </div>
        </fieldset>
        <ScannerTest />
        <div className="settings-actions">
          {message && (
            <p className={`settings-message ${message.kind}`} role={message.kind === 'error' ? 'alert' : 'status'} data-testid="settings-message">
              {message.text}
            </p>
          )}
          <button type="button" className="button secondary" onClick={onClose}>
            {t('common.close')}
          </button>
          <button type="submit" className="button primary" disabled={saving} data-testid="settings-save">
            {saving ? t('common.working') : t('settings.save')}
          </button>
        </div>
      </form>
    </main>
  );
}

/** Every scanner's state, and the last code any of them read while this screen is open. */
function ScannerTest() {
  const { t, i18n } = useTranslation();
  const { status, client } = useApp();
  const [last, setLast] = useState<Readonly<{ source: string; text: string; at: number; rejected?: string }> | null>(null);

  useEffect(() => {
    const input = startScanInput({
      onScan: (scan) => setLast({ source: scan.source, text: scan.text, at: scan.at }),
      // An installer testing a scanner wants to see what it got wrong too (layout, suffix).
      onRejected: (rejected) => setLast({ source: rejected.source, text: rejected.text, at: Date.now(), rejected: rejected.reason }),
    });
    const off = client.onEvent((event) => {
      if (event.type === 'scan') setLast({ source: event.source, text: event.text, at: event.at });
    });
    return () => {
      input.stop();
      off();
    };
  }, [client]);

  return (
    <fieldset className="scanner-test">
      <legend>{t('settings.scanners')}</legend>
      <ul>
        <li className="scanner live">{t('scanner.keyboard')}</li>
        {status.scanners.map((s) => (
          <li key={`${s.source}:${s.device}`} className={`scanner ${s.connected ? 'live' : 'idle'}`}>
            {t(`scanner.${s.source}`)} · {s.device} · {s.connected ? t('settings.connected') : t('settings.disconnected')}
            {s.message && <span className="muted small"> {s.message}</span>}
          </li>
        ))}
      </ul>
      <p className="scan-test-result" role="status" data-testid="scan-test">
        {last?.rejected
          ? t('settings.lastRejected', {
              source: t(`scanner.${last.source}`),
              // The whole read, unmasked: the installer checks every character arrived.
              code: last.text === '' ? '—' : last.text,
              length: last.text.length,
              reason: t(`scanReject.${last.rejected}`),
              time: formatTime(last.at, i18n.language as Language),
            })
          : last
          ? t('settings.lastScan', {
              source: t(`scanner.${last.source}`),
              code: last.text,
              length: last.text.length,
              kind: t(`codeKind.${classifyCode(last.text)}`),
              time: formatTime(last.at, i18n.language as Language),
            })
          : t('settings.scanPrompt')}
      </p>
    </fieldset>
  );
}
