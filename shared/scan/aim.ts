/**
 * AIM symbology identifiers (ISO/IEC 15424): `]` + code character + modifier. HID POS scanners
 * send one with every code; serial and keyboard scanners can be programmed to prefix it.
 */
import type { Symbology } from './events.ts';

const AIM_PATTERN = /^\][A-Za-z][0-9A-Za-z]/;

/** `]Q1` → 'qr-code'; null when the text does not start with an AIM identifier. */
export function symbologyFromAimId(aim: string): Symbology | null {
  if (!AIM_PATTERN.test(aim)) return null;
  const letter = aim.charAt(1);
  const modifier = aim.charAt(2);
  switch (letter) {
    case 'Q':
      return 'qr-code';
    case 'C':
      return 'code-128';
    case 'E':
      // ]E0 is EAN-13 (UPC-A travels as EAN-13 with a leading 0), ]E4 EAN-8.
      return modifier === '4' ? 'ean-8' : 'ean-13';
    case 'A':
      return 'code-39';
    case 'G':
      return 'code-93';
    case 'I':
      return 'itf';
    case 'F':
      return 'codabar';
    case 'd':
      return 'data-matrix';
    case 'L':
      return 'pdf417';
    case 'z':
      return 'aztec';
    case 'e':
      return 'databar';
    default:
      return 'other';
  }
}
