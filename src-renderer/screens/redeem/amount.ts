/** Keypad editing of an amount string; the string is parsed to fen by shared/money.ts only. */
import type { ErrorView } from '../../../shared/contract.ts';
import { parseYuanToFen } from '../../../shared/money.ts';
import { AMOUNT_REASONS } from '../../../shared/reasons.ts';


/** Applies one key to the amount being typed; refuses keys that can only make it invalid. */
export function typeAmountKey(amount: string, key: string): string {
  if (key === 'Backspace') return amount.slice(0, -1);
  if (key === 'Delete' || key === 'clear') return '';
  if (key === '.') {
    if (amount.includes('.')) return amount;
    return amount === '' ? '0.' : `${amount}.`;
  }
  if (key === '00') return typeAmountKey(typeAmountKey(amount, '0'), '0');
  if (!/^\d$/.test(key)) return amount;
  const [whole = '', decimals] = amount.split('.');
  if (decimals !== undefined) return decimals.length >= 2 ? amount : amount + key;
  if (whole === '0') return key; // no leading zeros
  return whole.length >= 7 ? amount : amount + key;
}

export type AmountCheck = Readonly<{ ok: true; fen: number }> | Readonly<{ ok: false; error: ErrorView }>;

export function checkAmount(amount: string): AmountCheck {
  const parsed = parseYuanToFen(amount);
  return parsed.ok ? { ok: true, fen: parsed.fen } : { ok: false, error: { reason: AMOUNT_REASONS[parsed.error] } };
}
