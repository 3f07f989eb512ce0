/**
 * Settings: the receipt printer — its address, paper width, auto-print and the receipt's header —
 * with a preview of the receipt as it will print and a test page. Saved on its own (the printer
 * calls of the contract), so it does not depend on the rest of the Settings form.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { PrinterSettingsView, PrinterStatus } from '../../../shared/contract.ts';
import { useApp } from '../../app/context.tsx';

export function PrinterFieldset({ managerPin }: Readonly<{ managerPin: string }>) {
  const { t } = useTranslation();
  const { call, status } = useApp();
  const [form, setForm] = useState<PrinterSettingsView | null>(null);
  const [svg, setSvg] = useState('');
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const printer: PrinterStatus | undefined = status.printer;

  const load = (value: Readonly<{ settings: PrinterSettingsView; sampleSvg: string }>) => {
    setForm({ ...value.settings });
    setSvg(value.sampleSvg);
  };

  useEffect(() => {
    let live = true;
    void call('printer:get', { managerPin }).then((result) => {
      if (live && result?.ok) load(result.value);
    });
    return () => {
      live = false;
    };
  }, [call, managerPin]);

  if (!form) return null;

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    const result = await call('printer:update', { managerPin, patch: form });
    setBusy(false);
    if (result?.ok) {
      load(result.value);
      setMessage(t('printer.saved'));
    } else setMessage(result && !result.ok && result.error.params?.field === 'printer.url' ? t('printer.badUrl') : t('error.unknown'));
  };

  const test = async () => {
    setBusy(true);
    const result = await call('printer:test', { managerPin });
    setBusy(false);
    if (result?.ok)
      setMessage(result.value.printed ? t('printer.testPrinted') : t('printer.testFailed', { condition: t(`printer.condition.${result.value.condition ?? 'unknown'}`) }));
  };

  return (
    <form className="settings-form printer-settings" onSubmit={save} data-testid="printer-settings" style={{ marginTop: 12 }}>
      <fieldset>
        <legend>{t('printer.legend')}</legend>
        <label>
          {t('printer.url')}
          <input
            type="text"
            value={form.url}
            spellCheck={false}
            aria-describedby="printer-url-hint"
            data-testid="printer-url"
            onChange={(e) => setForm({ ...form, url: e.target.value })}
          />
        </label>
        <p id="printer-url-hint" className="muted small">
          {t('printer.urlHint')}
        </p>
        <label>
          {t('printer.paperWidth')}
          <select value={form.paperWidth} data-testid="printer-width" onChange={(e) => setForm({ ...form, paperWidth: e.target.value === '58' ? 58 : 80 })}>
            <option value={58}>{t('printer.paper58')}</option>
            <option value={80}>{t('printer.paper80')}</option>
          </select>
        </label>
        <div className="radio-row">
          <label>
            <input type="checkbox" checked={form.autoPrint} data-testid="printer-auto" onChange={(e) => setForm({ ...form, autoPrint: e.target.checked })} />
            {t('printer.autoPrint')}
          </label>
        </div>
        <label>
          {t('printer.storeName')}
          <input type="text" value={form.storeName} maxLength={40} data-testid="printer-store" onChange={(e) => setForm({ ...form, storeName: e.target.value })} />
        </label>
        {printer && printer.kind !== 'none' && (
          <p className="muted small" role="status" data-testid="printer-status">
            {t('printer.statusNow', { condition: t(`printer.condition.${printer.condition ?? 'unknown'}`) })}
          </p>
        )}
        <div className="settings-actions">
          <button type="button" className="button secondary" disabled={busy || form.url === 'none'} onClick={() => void test()} data-testid="printer-test">
            {t('printer.test')}
          </button>
          <button type="submit" className="button primary" disabled={busy} data-testid="printer-save">
            {t('printer.save')}
          </button>
        </div>
        {message && (
          <p role="status" data-testid="printer-message">
            {message}
          </p>
        )}
      </fieldset>
      {svg && (
        <fieldset className="receipt-preview">
          <legend>{t('printer.preview')}</legend>
          <img src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`} alt={t('printer.preview')} data-testid="printer-preview" style={{ alignSelf: 'center', maxWidth: '100%' }} />
        </fieldset>
      )}
    </form>
  );
}
