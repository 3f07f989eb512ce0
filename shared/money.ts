/**
 * Money is integer fen (1 yuan = 100 fen) everywhere (docs/architecture.md, invariant 1). Parsing works on
 * the typed characters, never on a float, so "12.30" is exactly 1230 fen.
 */

/** Largest amount a till may enter: ¥1,000,000.00. Far above any gift card, well inside 2^53. */
export const MAX_AMOUNT_FEN = 100_000_000;

export type AmountError = 'empty' | 'format' | 'too_many_decimals' | 'zero' | 'too_large';

export type ParsedAmount =
  | { readonly ok: true; readonly fen: number }
  | { readonly ok: false; readonly error: AmountError };

const AMOUNT_PATTERN = /^(\d{1,9})(?:\.(\d{1,2}))?$/;
const DECIMALS_PATTERN = /^\d+\.\d{3,}$/;

/**
 * Parses an amount as typed at a till: yuan with at most two decimals ("35", "35.5", "35.50").
 * Anything else is refused: signs, exponents, thousands separators, fullwidth digits, spaces
 * inside, more than two decimals, zero. Surrounding whitespace is trimmed.
 */
export function parseYuanToFen(input: string): ParsedAmount {
  const text = input.trim();
  if (text === '') return { ok: false, error: 'empty' };
  if (DECIMALS_PATTERN.test(text)) return { ok: false, error: 'too_many_decimals' };
  const match = AMOUNT_PATTERN.exec(text);
  if (!match) return { ok: false, error: 'format' };
  const yuan = Number.parseInt(match[1] ?? '0', 10);
  const decimals = (match[2] ?? '').padEnd(2, '0');
  const fen = yuan * 100 + Number.parseInt(decimals === '' ? '0' : decimals, 10);
  if (fen === 0) return { ok: false, error: 'zero' };
  if (fen > MAX_AMOUNT_FEN) return { ok: false, error: 'too_large' };
  return { ok: true, fen };
}

/** True for a safe, non-negative integer number of fen. */
export function isFen(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** "12.30" for 1230 (no currency sign); negative amounts keep their sign: "-0.05". */
export function formatFen(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const yuan = Math.trunc(abs / 100);
  const rest = abs % 100;
  return `${sign}${yuan}.${rest.toString().padStart(2, '0')}`;
}

/** "¥12.30" — how money is shown to cashiers and managers in both languages. */
export function formatYuan(fen: number): string {
  const text = formatFen(fen);
  return text.startsWith('-') ? `-¥${text.slice(1)}` : `¥${text}`;
}
