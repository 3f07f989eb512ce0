/**
 * The US keyboard layout, by physical key (`KeyboardEvent.code` names). Scanners in keyboard mode
 * emulate a US keyboard unless programmed otherwise, so reading key positions through this table
 * gives the scanner's characters whatever layout or IME the OS has active. Shared by the HID
 * keyboard decoder (src-main) and the keyboard wedge (renderer).
 */
const DIGIT_SHIFTED = ')!@#$%^&*(';

/** code → [unshifted, shifted]. Letters are lower/upper; caps lock is applied by the caller. */
export const US_KEY_CHARS: ReadonlyMap<string, readonly [string, string]> = new Map<string, readonly [string, string]>([
  ...Array.from({ length: 26 }, (_, i): [string, readonly [string, string]] => {
    const lower = String.fromCharCode(97 + i);
    return [`Key${lower.toUpperCase()}`, [lower, lower.toUpperCase()]];
  }),
  ...Array.from({ length: 10 }, (_, d): [string, readonly [string, string]] => [`Digit${d}`, [String(d), DIGIT_SHIFTED.charAt(d)]]),
  ...Array.from({ length: 10 }, (_, d): [string, readonly [string, string]] => [`Numpad${d}`, [String(d), String(d)]]),
  ['Minus', ['-', '_']],
  ['Equal', ['=', '+']],
  ['BracketLeft', ['[', '{']],
  ['BracketRight', [']', '}']],
  ['Backslash', ['\\', '|']],
  ['Semicolon', [';', ':']],
  ['Quote', ["'", '"']],
  ['Backquote', ['`', '~']],
  ['Comma', [',', '<']],
  ['Period', ['.', '>']],
  ['Slash', ['/', '?']],
  ['Space', [' ', ' ']],
  ['NumpadDecimal', ['.', '.']],
  ['NumpadAdd', ['+', '+']],
  ['NumpadSubtract', ['-', '-']],
  ['NumpadMultiply', ['*', '*']],
  ['NumpadDivide', ['/', '/']],
]);

/** The character a US keyboard types for a key, or null for keys that type nothing. */
export function usKeyChar(code: string, shift: boolean, capsLock = false): string | null {
  const chars = US_KEY_CHARS.get(code);
  if (!chars) return null;
  const isLetter = code.startsWith('Key');
  const upper = isLetter ? shift !== capsLock : shift;
  return upper ? chars[1] : chars[0];
}
