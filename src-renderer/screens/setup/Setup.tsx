/**
 * First-run setup (issue 11): shown instead of sign-in on a first start, before anything else.
 * The installer picks the language, the terminal / store location / merchant ids and how this
 * terminal reaches WeChat, tests the connection (a real token fetch and card/get of a card id they
 * give), gives the fresh-install people new PINs and tries a scanner. LIVE is refused while 1234
 * or 9999 would still be a PIN (the core says so). `gcterm setup` does the same from flags.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ConnectionTestView } from '../../../shared/contract.ts';
import { classifyCode } from '../../../shared/codes.ts';
import type { Language } from '../../../shared/i18n/reasons.ts';
import type { SettingsPatch, TokenPatch } from '../../../shared/settings-patch.ts';
import { useApp } from '../../app/context.tsx';
import { changeLanguage, reasonText } from '../../i18n/index.ts';
import { startScanInput } from '../redeem/scan-input.ts';

type Mode = 'sandbox' | 'appsecret' | 'relay' | 'component' | 'hub';
const MODES: readonly Mode[] = ['sandbox', 'appsecret', 'relay', 'component', 'hub'];
/** The fresh-install people (README "First start"). */
const DEFAULT_NAMES = ['收银员1', '店长'] as const;

type SetupForm = {
  terminalId: string;
  locationId: string;
  merchantId: string;
  mode: Mode;
  apiBase: string;
  appid: string;
  secret: string;
  relayUrl: string;
  componentAppid: string;
  componentAppsecret: string;
  componentVerifyTicket: string;
  authorizerAppid: string;
  authorizerRefreshToken: string;
  cardId: string;
  pins: Record<string, string>;
};

const EMPTY: SetupForm = {
  terminalId: 'T01',
  locationId: '',
  merchantId: '',
  mode: 'sandbox',
  apiBase: 'https://api.weixin.qq.com',
  appid: '',
  secret: '',
  relayUrl: '',
  componentAppid: '',
  componentAppsecret: '',
  componentVerifyTicket: '',
  authorizerAppid: '',
  authorizerRefreshToken: '',
  cardId: '',
  pins: {},
};

const orUndefined = (text: string): string | undefined => (text.trim() === '' ? undefined : text.trim());

/** The settings patch of the form (the core checks every value). */
export function setupPatch(form: SetupForm, language: Language): SettingsPatch {
  let token: TokenPatch;
  switch (form.mode) {
    case 'appsecret':
      token = { provider: 'appsecret', appid: form.appid.trim(), ...(form.secret ? { secret: form.secret } : {}) };
      break;
    case 'relay':
      token = { provider: 'relay', url: form.relayUrl.trim() };
      break;
    case 'component':
      token = {
        provider: 'component',
        componentAppid: orUndefined(form.componentAppid),
        componentAppsecret: orUndefined(form.componentAppsecret),
        componentVerifyTicket: orUndefined(form.componentVerifyTicket),
        authorizerAppid: orUndefined(form.authorizerAppid),
        authorizerRefreshToken: orUndefined(form.authorizerRefreshToken),
      };
      break;
    default:
      token = { provider: 'sandbox' };
  }
  return {
    language,
    terminalId: form.terminalId.trim(),
    locationId: form.locationId.trim() || null,
    merchantId: form.merchantId.trim() || null,
    apiBase: form.mode === 'sandbox' || form.mode === 'hub' ? null : form.apiBase.trim(),
    token,
  };
}

export function Setup() {
  const { t, i18n } = useTranslation();
  const { call, refreshStatus } = useApp();
  const [form, setForm] = useState<SetupForm>(EMPTY);
  const [tested, setTested] = useState<ConnectionTestView | null>(null);
  const [message, setMessage] = useState<Readonly<{ kind: 'ok' | 'error'; text: string }> | null>(null);
  const [busy, setBusy] = useState(false);
  const [scan, setScan] = useState<string | null>(null);
  const language = i18n.language as Language;
  const set = (patch: Partial<SetupForm>): void => {
    setForm({ ...form, ...patch });
    setTested(null);
  };

  useEffect(() => {
    const input = startScanInput({ onScan: (read) => setScan(read.text) });
    return () => input.stop();
  }, []);

  const test = (): void => {
    setBusy(true);
    setMessage(null);
    void (async () => {
      const result = await call('setup:testConnection', { patch: setupPatch(form, language), ...(form.cardId.trim() ? { cardId: form.cardId.trim() } : {}) });
      setBusy(false);
      if (!result) return;
      if (!result.ok) return setMessage({ kind: 'error', text: reasonText(t, result.error) });
      setTested(result.value);
      setMessage({ kind: 'ok', text: result.value.cardTitle ? t('setup.testedCard', { title: result.value.cardTitle }) : t('setup.tested') });
    })();
  };

  const finish = (event: FormEvent): void => {
    event.preventDefault();
    setBusy(true);
    setMessage(null);
    void (async () => {
      const pins = DEFAULT_NAMES.filter((name) => (form.pins[name] ?? '') !== '').map((name) => ({ name, pin: form.pins[name] ?? '' }));
      const result = await call('setup:complete', { patch: setupPatch(form, language), pins });
      setBusy(false);
      if (!result) return;
      if (!result.ok) {
        const field = result.error.params?.field;
        return setMessage({ kind: 'error', text: `${reasonText(t, result.error)}${typeof field === 'string' && field ? ` (${field})` : ''}` });
      }
      await refreshStatus();
    })();
  };

  const live = form.mode !== 'sandbox' && form.mode !== 'hub';
  return (
    <main className="screen settings setup" aria-labelledby="setup-title">
      <form className="settings-form" onSubmit={finish} data-testid="setup-form">
        <h1 id="setup-title">{t('setup.title')}</h1>
        <p className="muted">{t('setup.intro')}</p>
        <fieldset>
          <legend>{t('setup.store')}</legend>
          <label>
            {t('settings.field.language')}
            <select data-testid="setup-language" value={language} onChange={(e) => void changeLanguage(e.target.value as Language)}>
              <option value="zh-CN">简体中文</option>
              <option value="en">English</option>
            </select>
          </label>
          <label>
            {t('settings.field.terminalId')}
            <input data-testid="setup-terminal-id" value={form.terminalId} maxLength={64} onChange={(e) => set({ terminalId: e.target.value })} />
          </label>
          <label>
            {t('settings.field.locationId')}
            <input data-testid="setup-location-id" value={form.locationId} maxLength={64} onChange={(e) => set({ locationId: e.target.value })} />
          </label>
          <label>
            {t('settings.field.merchantId')}
            <input data-testid="setup-merchant-id" value={form.merchantId} maxLength={64} onChange={(e) => set({ merchantId: e.target.value })} />
          </label>
        </fieldset>
        <fieldset>
          <legend>{t('setup.connection')}</legend>
          <label>
            {t('setup.mode')}
            <select data-testid="setup-mode" value={form.mode} onChange={(e) => set({ mode: e.target.value as Mode })}>
              {MODES.map((m) => (
                <option key={m} value={m}>
                  {t(`setup.modes.${m}`)}
                </option>
              ))}
            </select>
          </label>
          {form.mode === 'hub' && <p className="muted small">{t('setup.hubHint')}</p>}
          {live && (
            <label>
              {t('settings.field.apiBase')}
              <input data-testid="setup-api-base" type="url" value={form.apiBase} onChange={(e) => set({ apiBase: e.target.value })} />
            </label>
          )}
          {form.mode === 'appsecret' && (
            <>
              <label>
                AppID
                <input data-testid="setup-appid" value={form.appid} autoComplete="off" onChange={(e) => set({ appid: e.target.value })} />
              </label>
              <label>
                AppSecret
                <input data-testid="setup-secret" type="password" value={form.secret} autoComplete="new-password" onChange={(e) => set({ secret: e.target.value })} />
              </label>
            </>
          )}
          {form.mode === 'relay' && (
            <label>
              {t('settings.field.relayUrl')}
              <input type="url" value={form.relayUrl} onChange={(e) => set({ relayUrl: e.target.value })} />
            </label>
          )}
          {form.mode === 'component' &&
            (['componentAppid', 'componentAppsecret', 'componentVerifyTicket', 'authorizerAppid', 'authorizerRefreshToken'] as const).map((key) => (
              <label key={key}>
                {t(`setup.component.${key}`)}
                <input type={key === 'componentAppid' || key === 'authorizerAppid' ? 'text' : 'password'} autoComplete="off" value={form[key]} onChange={(e) => set({ [key]: e.target.value })} />
              </label>
            ))}
          <label>
            {t('setup.cardId')}
            <input data-testid="setup-card-id" value={form.cardId} maxLength={64} onChange={(e) => set({ cardId: e.target.value })} />
          </label>
          <button type="button" className="button secondary" disabled={busy} onClick={test} data-testid="setup-test">
            {t('setup.test')}
          </button>
          {tested && <span className="badge inline" data-testid="setup-tested">✔</span>}
        </fieldset>
        <fieldset>
          <legend>{t('setup.pins')}</legend>
          <p className="muted small">{t('setup.pinsHint')}</p>
          {DEFAULT_NAMES.map((name) => (
            <label key={name}>
              {t('setup.pinFor', { name })}
              <input
                data-testid={`setup-pin-${name}`}
                type="password"
                inputMode="numeric"
                autoComplete="new-password"
                maxLength={8}
                value={form.pins[name] ?? ''}
                onChange={(e) => set({ pins: { ...form.pins, [name]: e.target.value } })}
              />
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>{t('setup.scanner')}</legend>
          <p className="scan-test-result" role="status" data-testid="setup-scan">
            {scan ? t('setup.scanned', { code: scan, kind: t(`codeKind.${classifyCode(scan)}`) }) : t('settings.scanPrompt')}
          </p>
        </fieldset>
        <div className="settings-actions">
          {message && (
            <p className={`settings-message ${message.kind}`} role={message.kind === 'error' ? 'alert' : 'status'} data-testid="setup-message">
              {message.text}
            </p>
          )}
          <button type="submit" className="button primary" disabled={busy} data-testid="setup-finish">
            {t('setup.finish')}
          </button>
        </div>
      </form>
    </main>
  );
}
