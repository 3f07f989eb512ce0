/**
 * What the printer will print, as an SVG picture of the paper (the Settings preview, the reprint
 * dialog, docs/): the same laid-out lines as the ESC/POS bytes, in a monospaced font where a
 * Chinese character takes two columns, and the QR code drawn from the same payload.
 */
import { COLUMNS, layout, textWidth, type PrintDocument } from './layout.ts';
import { qrPath } from './qr.ts';

const escapeXml = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Dots per column and per line of font A on a 203 dpi printer, scaled down by half. */
const CELL_W = 6;
const LINE_H = 14;
const MARGIN = 12;

export function receiptSvg(document: PrintDocument): string {
  const columns = COLUMNS[document.paperWidth];
  const width = columns * CELL_W + MARGIN * 2;
  const parts: string[] = [];
  let y = MARGIN;
  for (const line of layout(document)) {
    if (line.kind === 'qr') {
      const qr = qrPath(line.data);
      const side = Math.min(120, columns * CELL_W);
      const scale = side / qr.size;
      const x = (width - side) / 2;
      parts.push(`<g transform="translate(${x} ${y + 4}) scale(${scale.toFixed(4)})"><path d="${qr.path}" fill="#000"/></g>`);
      y += side + 8;
      continue;
    }
    const size = line.big ? 2 : 1;
    const h = LINE_H * size;
    if (line.inverse) parts.push(`<rect x="${MARGIN}" y="${y}" width="${columns * CELL_W}" height="${h}" fill="#000"/>`);
    // Each character at its own column: the picture keeps the printer's grid, CJK or not.
    let column = 0;
    const spans: string[] = [];
    for (const char of line.text) {
      const w = textWidth(char);
      if (char !== ' ') spans.push(`<tspan x="${MARGIN + column * CELL_W * size + (w * CELL_W * size) / 2}">${escapeXml(char)}</tspan>`);
      column += w;
    }
    if (spans.length > 0) {
      parts.push(
        `<text y="${y + h * 0.78}" font-size="${11 * size}" text-anchor="middle"${line.bold ? ' font-weight="bold"' : ''} fill="${line.inverse ? '#fff' : '#000'}">${spans.join('')}</text>`,
      );
    }
    y += h;
  }
  const height = y + MARGIN;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="receipt preview">`,
    `<rect width="${width}" height="${height}" fill="#fffef8" stroke="#ccc"/>`,
    `<g font-family="'WenQuanYi Micro Hei Mono','Noto Sans Mono CJK SC','DejaVu Sans Mono',monospace">`,
    ...parts,
    '</g></svg>',
  ].join('\n');
}

/**
 * A self-contained HTML page of the receipt for the desktop app's OS print dialog (Electron
 * webContents.print): the SVG at the paper's width, nothing else on the page.
 */
export function receiptHtml(document: PrintDocument, title: string): string {
  const mm = document.paperWidth === 58 ? 48 : 72;
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeXml(title)}</title>
<style>@page{size:${document.paperWidth}mm auto;margin:0}body{margin:0}svg{width:${mm}mm;height:auto;display:block;margin:0 auto}</style>
</head><body>${receiptSvg(document)}</body></html>`;
}
