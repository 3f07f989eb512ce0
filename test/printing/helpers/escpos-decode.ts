/**
 * Reads ESC/POS bytes back the way a printer does: text runs decoded in the code page the
 * printer is in (GB18030 once FS & turned Chinese mode on, single bytes otherwise), the QR
 * code's stored payload, cuts, and the status queries. Unknown commands fail the decode: a
 * receipt must contain only what a printer understands.
 */
export type Decoded = {
  /** Printed lines, in order, with trailing spaces removed. */
  lines: string[];
  qr: string[];
  cuts: number;
  statusQueries: number[];
  chineseMode: boolean;
  /** Lines printed bold / white on black (trimmed). */
  bold: string[];
  inverse: string[];
};

const gb18030 = new TextDecoder('gb18030', { fatal: true });

export function decodeEscPos(bytes: Uint8Array): Decoded {
  const out: Decoded = { lines: [], qr: [], cuts: 0, statusQueries: [], chineseMode: false, bold: [], inverse: [] };
  let text: number[] = [];
  let bold = false;
  let inverse = false;
  let chinese = false;
  let lineBold = false;
  let lineInverse = false;
  let qrStore = '';
  const flush = () => {
    const decoded = chinese ? gb18030.decode(Uint8Array.from(text)) : String.fromCharCode(...text);
    const line = decoded.replace(/\s+$/, '');
    out.lines.push(line);
    if (lineBold && line.trim()) out.bold.push(line.trim());
    if (lineInverse && line.trim()) out.inverse.push(line.trim());
    text = [];
    lineBold = false;
    lineInverse = false;
  };
  let i = 0;
  const need = (n: number) => {
    if (i + n > bytes.length) throw new Error(`truncated command at byte ${i}`);
  };
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    if (b === 0x0a) {
      flush();
      i++;
    } else if (b === 0x0d) {
      i++;
    } else if (b === 0x1b) {
      need(2);
      const c = bytes[i + 1];
      if (c === 0x40) i += 2; // ESC @ initialise
      else if (c === 0x45) {
        need(3);
        bold = bytes[i + 2] === 1;
        i += 3;
      } else if (c === 0x61 || c === 0x4d || c === 0x74 || c === 0x21 || c === 0x64 || c === 0x2d) i += 3; // align, font, code table, mode, feed, underline
      else throw new Error(`unknown ESC 0x${(c ?? 0).toString(16)} at byte ${i}`);
    } else if (b === 0x1c) {
      need(2);
      const c = bytes[i + 1];
      if (c === 0x26) chinese = true;
      else if (c === 0x2e) chinese = false;
      else throw new Error(`unknown FS 0x${(c ?? 0).toString(16)} at byte ${i}`);
      if (chinese) out.chineseMode = true;
      i += 2;
    } else if (b === 0x1d) {
      need(2);
      const c = bytes[i + 1];
      if (c === 0x28 && bytes[i + 2] === 0x6b) {
        need(5);
        const len = (bytes[i + 3] ?? 0) + (bytes[i + 4] ?? 0) * 256;
        need(5 + len);
        const cn = bytes[i + 5];
        const fn = bytes[i + 6];
        if (cn === 0x31 && fn === 0x50) qrStore = Buffer.from(bytes.subarray(i + 8, i + 5 + len)).toString('utf8');
        if (cn === 0x31 && fn === 0x51) out.qr.push(qrStore);
        i += 5 + len;
      } else if (c === 0x21) {
        i += 3;
      } else if (c === 0x42) {
        inverse = bytes[i + 2] === 1;
        i += 3;
      } else if (c === 0x56) {
        // GS V m (and n for m = 65/66)
        const m = bytes[i + 2] ?? 0;
        out.cuts++;
        i += m >= 65 ? 4 : 3;
      } else if (c === 0x68 || c === 0x77 || c === 0x48 || c === 0x66) i += 3;
      else throw new Error(`unknown GS 0x${(c ?? 0).toString(16)} at byte ${i}`);
    } else if (b === 0x10 && bytes[i + 1] === 0x04) {
      out.statusQueries.push(bytes[i + 2] ?? 0);
      i += 3;
    } else if (b < 0x20) {
      throw new Error(`unknown control 0x${b.toString(16)} at byte ${i}`);
    } else {
      text.push(b);
      if (bold && b !== 0x20) lineBold = true;
      if (inverse && b !== 0x20) lineInverse = true;
      i++;
    }
  }
  if (text.length > 0) flush();
  return out;
}
