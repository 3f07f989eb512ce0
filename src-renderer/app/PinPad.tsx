/**
 * A PIN entry that works the same with a keyboard (type, Enter, Backspace, Escape) and a touch
 * screen (the big buttons). The digits live in a password input so nothing is shown.
 */
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

export type PinPadProps = Readonly<{
  id: string;
  label: string;
  busy: boolean;
  error: ReactNode;
  onSubmit(pin: string): void;
  onCancel?: () => void;
  /** Bumped by the parent to clear the entry (after a wrong PIN). */
  resetKey: number;
}>;

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', 'clear', '0', 'back'] as const;

export function PinPad({ id, label, busy, error, onSubmit, onCancel, resetKey }: PinPadProps) {
  const { t } = useTranslation();
  const [pin, setPin] = useState('');
  const input = useRef<HTMLInputElement>(null);

  // After a refused PIN: focus for the next try. The digits were already cleared when they were
  // submitted, so nothing typed since is wiped by this late effect.
  useEffect(() => {
    input.current?.focus();
  }, [resetKey]);

  const press = (key: (typeof KEYS)[number]): void => {
    if (key === 'clear') setPin('');
    else if (key === 'back') setPin((p) => p.slice(0, -1));
    else setPin((p) => (p.length < 12 ? p + key : p));
    input.current?.focus();
  };
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (pin.length >= 4 && !busy) {
      onSubmit(pin);
      setPin('');
    }
  };

  return (
    <form className="pinpad" onSubmit={submit} aria-busy={busy}>
      <label htmlFor={id} className="pinpad-label">
        {label}
      </label>
      <input
        id={id}
        ref={input}
        className="pinpad-input"
        type="password"
        inputMode="numeric"
        autoComplete="off"
        autoFocus
        maxLength={12}
        value={pin}
        onChange={(e) => setPin(e.target.value.replace(/\D/g, '').slice(0, 12))}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && onCancel) {
            e.preventDefault();
            onCancel();
          }
        }}
        aria-invalid={error ? true : undefined}
        aria-describedby={`${id}-error`}
      />
      <div id={`${id}-error`} className="pinpad-error" role="alert">
        {error}
      </div>
      <div className="pinpad-keys">
        {KEYS.map((key) => (
          <button key={key} type="button" className={`key key-${key}`} tabIndex={-1} onClick={() => press(key)}>
            {key === 'clear' ? t('keypad.clear') : key === 'back' ? '⌫' : key}
          </button>
        ))}
      </div>
      <div className="pinpad-actions">
        {onCancel && (
          <button type="button" className="button secondary" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        )}
        <button type="submit" className="button primary" disabled={busy || pin.length < 4}>
          {busy ? t('common.working') : t('common.ok')}
        </button>
      </div>
    </form>
  );
}
