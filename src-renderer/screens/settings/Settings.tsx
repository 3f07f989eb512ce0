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
import type { HidMode, SerialFraming } from '../../../shared/scan/settings.ts';
import { useApp } from '../../app/context.tsx';
import { PrinterFieldset } from './PrinterFieldset.tsx';
import { changeLanguage, reasonText } from '../../i18n/index.ts';
import { formatTime } from '../../format.ts';
import { startScanInput } from '../redeem/scan-input.ts';
import { BAUD_RATES, buildPatch, FRAMINGS, HID_MODES, isDirty, PROVIDERS, toForm, vidPid, type Form, type Provider, type ScannerForm } from './form.ts';
import { People } from './People.tsx';

export function Settings({ onClose }: Readonly<{ onClose(): void }>) {
  const { t } = useTranslation();
  const { call, askManager, refreshStatus, setLeaveGuard } = useApp();
  const [settings, setSettings] = useState<SettingsView | null>(null);
  const [form, setForm] = useState<Form | null>(null);
  // Leaving with unsaved edits asks first (tabs, F-keys, sign-out, Close).
  const dirty = settings !== null && form !== null && isDirty(form, settings);
  const dirtyRef = useRef(false);
  dirtyRef.current = dirty;
  const confirmLeave = (): boolean => !dirtyRef.current || window.confirm(t('people.unsavedLeave'));
  const confirmRef = useRef(confirmLeave);
  confirmRef.current = confirmLeave;
  useEffect(() => {
    setLeaveGuard?.(() => confirmRef.current());
    return () => setLeaveGuard?.(null);
  }, [setLeaveGuard]);
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
        // A typed secret is sent once: refused or not, it does not stay in the page.
        setForm((current) => (current ? { ...current, secret: '' } : current));
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
            {t('people.idleLockMinutes')}
            <span className="input-with-unit">
              <input inputMode="numeric" data-testid="idle-lock-minutes" value={form.idleLockMinutes} onChange={(e) => set({ idleLockMinutes: e.target.value })} />
              <span>{t('people.minutes')}</span>
            </span>
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
          {dirty && (
            <span className="muted small" data-testid="settings-dirty">
              {t('people.unsaved')}
            </span>
          )}
          <button type="button" className="button secondary" onClick={() => confirmLeave() && onClose()}>
            {t('common.close')}
          </button>
          <button type="submit" className="button primary" disabled={saving} data-testid="settings-save">
            {saving ? t('common.working') : t('settings.save')}
          </button>
        </div>
      </form>
      {pin.current && <PrinterFieldset managerPin={pin.current} />}
      {pin.current && <People managerPin={pin.current} />}
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
