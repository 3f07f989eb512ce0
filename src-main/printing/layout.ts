/**
 * One printable document (a customer receipt, a shift handover, a Z-report) as blocks, laid out
 * once in monospaced columns: the ESC/POS encoder, the SVG preview and the HTML of the OS print
 * dialog all draw the same lines. Chinese characters take two columns, as on a thermal printer.
 */

export type PaperWidth = 58 | 80;

/** Characters per line in the printer's standard font A (12×24 dots): 384 and 576 dots wide. */
export const COLUMNS: Readonly<Record<PaperWidth, number>> = { 58: 32, 80: 48 };

export type Block =
  /** Large, bold, centred (the store's name). */
  | Readonly<{ kind: 'title'; text: string }>
  | Readonly<{ kind: 'center'; text: string; bold?: boolean }>
  /** Reversed (white on black): what the customer must not miss ("not yet deducted"). */
  | Readonly<{ kind: 'notice'; text: string }>
  | Readonly<{ kind: 'pair'; label: string; value: string; bold?: boolean }>
  | Readonly<{ kind: 'text'; text: string }>
  | Readonly<{ kind: 'rule' }>
  | Readonly<{ kind: 'qr'; data: string }>;

export type PrintDocument = Readonly<{ blocks: readonly Block[]; paperWidth: PaperWidth }>;

/** Display width of one character on the printer: East Asian wide and fullwidth forms take two. */
export function charWidth(char: string): number {
  const cp = char.codePointAt(0) ?? 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

export const textWidth = (text: string): number => [...text].reduce((sum, c) => sum + charWidth(c), 0);

/**
 * Characters a receipt printer's Chinese fonts have for sure (GB2312): the yen sign as the
 * fullwidth ￥, the masking bullet as *. Other text is kept as it is.
 */
export function printable(text: string): string {
  return text.replace(/¥/g, '￥').replace(/•/g, '*');
}

/**
 * Splits text into lines of at most `width` columns: Latin text at a space where there is one,
 * Chinese between any two characters (as Chinese is set), never inside a character.
 */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const char of text) {
    if (textWidth(line) + charWidth(char) <= width || line === '') {
      line += char;
      continue;
    }
    const space = line.lastIndexOf(' ');
    if (char !== ' ' && space > 0 && charWidth(char) === 1) {
      lines.push(line.slice(0, space));
      line = line.slice(space + 1) + char;
    } else {
      lines.push(line);
      line = char === ' ' ? '' : char;
    }
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}

export const padEnd = (text: string, width: number): string => text + ' '.repeat(Math.max(0, width - textWidth(text)));
export const padStart = (text: string, width: number): string => ' '.repeat(Math.max(0, width - textWidth(text))) + text;
export const center = (text: string, width: number): string => padEnd(' '.repeat(Math.max(0, Math.floor((width - textWidth(text)) / 2))) + text, width);

/** A label on the left and its value on the right; a value too long goes on its own line(s). */
export function pairLines(label: string, value: string, width: number): string[] {
  const room = width - textWidth(label) - 1;
  if (textWidth(value) <= room) return [label + padStart(value, width - textWidth(label))];
  return [label, ...wrap(value, width).map((line) => padStart(line, width))];
}

/** A laid-out line: what the preview and the HTML draw, and the style the printer gets. */
export type Line =
  | Readonly<{ kind: 'text'; text: string; bold: boolean; big: boolean; inverse: boolean }>
  | Readonly<{ kind: 'qr'; data: string }>;

/** Lines of `width` columns (big text counts double: it is printed at double width). */
export function layout(document: PrintDocument): Line[] {
  const width = COLUMNS[document.paperWidth];
  const out: Line[] = [];
  const plain = (text: string, bold = false): Line => ({ kind: 'text', text, bold, big: false, inverse: false });
  for (const block of document.blocks) {
    switch (block.kind) {
      case 'title':
        for (const line of wrap(printable(block.text), Math.floor(width / 2))) out.push({ kind: 'text', text: center(line, Math.floor(width / 2)), bold: true, big: true, inverse: false });
        break;
      case 'center':
        for (const line of wrap(printable(block.text), width)) out.push(plain(center(line, width), block.bold ?? false));
        break;
      case 'notice':
        for (const line of wrap(printable(block.text), width)) out.push({ kind: 'text', text: center(line, width), bold: true, big: false, inverse: true });
        break;
      case 'pair':
        for (const line of pairLines(printable(block.label), printable(block.value), width)) out.push(plain(line, block.bold ?? false));
        break;
      case 'text':
        for (const line of wrap(printable(block.text), width)) out.push(plain(line));
        break;
      case 'rule':
        out.push(plain('-'.repeat(width)));
        break;
      case 'qr':
        out.push({ kind: 'qr', data: block.data });
        break;
    }
  }
  return out;
}
