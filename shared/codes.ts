/**
 * What a scanned text is, decided before anything else happens with it (the dynamic-code check).
 * Pure: no I/O. A payment code or a product barcode must never reach the card API.
 */
export type CodeKind =
  | 'wechat_dynamic' // 18 digits starting 1636: WeChat's rotating anti-screenshot code
  | 'card_code' // a card's real (static) code
  | 'payment_code' // WeChat Pay payment code: 18 digits starting 10–15
  | 'product_barcode' // EAN-13 / EAN-8 with a valid check digit
  | 'invalid'; // empty, too long, or characters no card code has

/** Longest code accepted; WeChat custom codes are far shorter, a scanner glitch is not. */
export const MAX_CODE_LENGTH = 32;
/** Shortest card code accepted (WeChat's own codes are 12 digits). */
export const MIN_CODE_LENGTH = 6;

const CARD_CODE_PATTERN = /^[0-9A-Za-z]+$/;

function eanCheckDigitValid(digits: string): boolean {
  let sum = 0;
  const body = digits.slice(0, -1);
  for (let i = 0; i < body.length; i++) {
    const d = body.charCodeAt(body.length - 1 - i) - 48;
    sum += i % 2 === 0 ? d * 3 : d;
  }
  const check = (10 - (sum % 10)) % 10;
  return check === digits.charCodeAt(digits.length - 1) - 48;
}

export function classifyCode(text: string): CodeKind {
  if (text.length < MIN_CODE_LENGTH || text.length > MAX_CODE_LENGTH) return 'invalid';
  if (!CARD_CODE_PATTERN.test(text)) return 'invalid';
  if (/^\d{18}$/.test(text)) {
    if (text.startsWith('1636')) return 'wechat_dynamic';
    const prefix = Number.parseInt(text.slice(0, 2), 10);
    if (prefix >= 10 && prefix <= 15) return 'payment_code';
  }
  if ((text.length === 13 || text.length === 8) && /^\d+$/.test(text) && eanCheckDigitValid(text)) {
    return 'product_barcode';
  }
  return 'card_code';
}

/** Shows the last four characters only: "•••• 3456". Used wherever a code is displayed or logged. */
export function maskCode(code: string): string {
  if (code.length <= 4) return '••••';
  return `•••• ${code.slice(-4)}`;
}
