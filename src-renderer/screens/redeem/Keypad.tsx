/**
 * The amount keypad. Buttons never take focus (touch or mouse), so the physical keyboard keeps
 * working and Enter always means "confirm", not "press the last button touched".
 */
import type { MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { formatYuan } from '../../../shared/money.ts';
import { checkAmount } from './amount.ts';

const KEYS = ['7', '8', '9', '4', '5', '6', '1', '2', '3', '0', '00', '.'] as const;

export type KeypadProps = Readonly<{
  amount: string;
  disabled: boolean;
  busy: boolean;
  error: string | null;
  warning: string | null;
  onKey(key: string): void;
  onConfirm(): void;
  onCancel(): void;
}>;

export function Keypad({ amount, disabled, busy, error, warning, onKey, onConfirm, onCancel }: KeypadProps) {
  const { t } = useTranslation();
  const check = checkAmount(amount);
  const noFocus = (e: MouseEvent): void => e.preventDefault();
  return (
    <section className="keypad" aria-label={t('redeem.amount')}>
      <label className="amount-label" htmlFor="amount-display">
        {t('redeem.amount')}
      </label>
      <output id="amount-display" className={`amount-display ${amount === '' ? 'empty' : ''}`} data-testid="amount" aria-live="polite">
        <span className="currency">¥</span>
        {amount === '' ? '0.00' : amount}
      </output>
      <div className="amount-message" role="alert" data-testid="amount-error">
        {error ?? (warning && <span className="warning">{warning}</span>)}
      </div>
      <div className="keypad-keys">
        {KEYS.map((key) => (
          <button
            key={key}
            type="button"
            className="key"
            tabIndex={-1}
            disabled={disabled || busy}
            onMouseDown={noFocus}
            onClick={() => onKey(key)}
          >
            {key}
          </button>
        ))}
        <button type="button" className="key key-back" tabIndex={-1} disabled={disabled || busy} onMouseDown={noFocus} onClick={() => onKey('Backspace')}>
          ⌫
        </button>
        <button type="button" className="key key-clear" tabIndex={-1} disabled={disabled || busy} onMouseDown={noFocus} onClick={() => onKey('clear')}>
          {t('keypad.clear')}
        </button>
      </div>
      <div className="keypad-actions">
        <button type="button" className="button secondary large" onMouseDown={noFocus} onClick={onCancel} disabled={busy}>
          {t('common.cancel')} <kbd>Esc</kbd>
        </button>
        <button
          type="button"
          className="button primary large confirm"
          data-testid="confirm"
          onMouseDown={noFocus}
          onClick={onConfirm}
          disabled={disabled || busy}
          aria-busy={busy}
        >
          {busy ? t('redeem.processing') : check.ok ? t('redeem.confirmAmount', { amount: formatYuan(check.fen) }) : t('redeem.confirm')}{' '}
          {!busy && <kbd>Enter</kbd>}
        </button>
      </div>
    </section>
  );
}
