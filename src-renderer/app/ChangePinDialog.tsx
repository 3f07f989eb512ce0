/**
 * "My PIN": the signed-in person changes their own PIN — the current one first, then the new one
 * twice. The core checks the current PIN (with the lockout) and the rules for a new one.
 */
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { reasonText } from '../i18n/index.ts';
import { useApp } from './context.tsx';
import { useModalDialog } from './useModalDialog.ts';

export function ChangePinDialog({ onClose }: Readonly<{ onClose(): void }>) {
  const { t } = useTranslation();
  const { call } = useApp();
  const dialog = useModalDialog();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [message, setMessage] = useState<Readonly<{ kind: 'ok' | 'error'; text: string }> | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (next !== again) return setMessage({ kind: 'error', text: t('myPin.mismatch') });
    setBusy(true);
    void (async () => {
      const result = await call('session:changePin', { currentPin: current, newPin: next });
      setBusy(false);
      if (!result) return;
      if (!result.ok) return setMessage({ kind: 'error', text: reasonText(t, result.error) });
      setCurrent('');
      setNext('');
      setAgain('');
      setMessage({ kind: 'ok', text: t('myPin.done') });
    })();
  };

  const field = (label: string, value: string, set: (v: string) => void, testId: string) => (
    <label>
      {label}
      <input type="password" inputMode="numeric" autoComplete="off" maxLength={12} value={value} data-testid={testId} onChange={(e) => set(e.target.value)} />
    </label>
  );

  return (
    <dialog ref={dialog} className="modal my-pin" aria-labelledby="my-pin-title" onCancel={(e) => (e.preventDefault(), onClose())}>
      <form className="settings-form" onSubmit={submit}>
        <h2 id="my-pin-title">{t('myPin.title')}</h2>
        {field(t('myPin.current'), current, setCurrent, 'my-pin-current')}
        {field(t('myPin.new'), next, setNext, 'my-pin-new')}
        {field(t('myPin.again'), again, setAgain, 'my-pin-again')}
        {message && (
          <p className={`settings-message ${message.kind}`} role={message.kind === 'error' ? 'alert' : 'status'} data-testid="my-pin-message">
            {message.text}
          </p>
        )}
        <div className="settings-actions">
          <button type="button" className="button secondary" onClick={onClose}>
            {t('common.close')}
          </button>
          <button type="submit" className="button primary" disabled={busy} data-testid="my-pin-save">
            {t('myPin.save')}
          </button>
        </div>
      </form>
    </dialog>
  );
}
