/**
 * A printable document as PDF (pdfkit): the Z-report and shift handover for the manager's files,
 * on A4. Chinese needs a CJK font: Debian's fonts-wqy-microhei (installed by .ci/run), or the
 * file GCTERM_CJK_FONT names. Without one the PDF is made in English and says why, rather than
 * printing empty boxes.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import type { Language } from '../../shared/i18n/reasons.ts';
import type { Block, PrintDocument } from './layout.ts';
import { qrCells } from './qr.ts';

const fontkit = createRequire(import.meta.url)('fontkit') as { openSync(path: string): unknown };

export const DEFAULT_CJK_FONTS = [
  '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc',
  '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
  'C:\\Windows\\Fonts\\msyh.ttc',
  'C:\\Windows\\Fonts\\simhei.ttf',
];

/** The CJK font to embed, or null when this computer has none. */
export function findCjkFont(env: Readonly<Record<string, string | undefined>> = process.env, candidates: readonly string[] = DEFAULT_CJK_FONTS): string | null {
  const configured = env.GCTERM_CJK_FONT;
  if (configured !== undefined) return configured !== '' && existsSync(configured) ? configured : null;
  return candidates.find((path) => existsSync(path)) ?? null;
}

/** The language a PDF can be made in here: Chinese only with a CJK font. */
export const pdfLanguage = (wanted: Language, font: string | null): Language => (font === null ? 'en' : wanted);

export const NO_CJK_FONT_NOTE = 'No Chinese font on this computer (install fonts-wqy-microhei or set GCTERM_CJK_FONT): this PDF is in English.';

/** The PostScript name of a font collection's first face (fontkit, pdfkit's own font reader). */
function firstFaceOf(path: string): string | undefined {
  const collection = fontkit.openSync(path) as unknown as { fonts?: ReadonlyArray<{ postscriptName: string }> };
  return collection.fonts?.[0]?.postscriptName;
}

const PAGE_MARGIN = 56;
const COLUMN_WIDTH = 340;

/** Renders the document on A4 pages; resolves to the PDF's bytes. */
export function renderPdf(document: PrintDocument, options: Readonly<{ font: string | null; title: string; note?: string }>): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margin: PAGE_MARGIN, info: { Title: options.title, Creator: 'gcterm' } });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  if (options.font) {
    // A .ttc holds several faces, picked by PostScript name: the first one of the collection.
    const family = options.font.toLowerCase().endsWith('.ttc') ? firstFaceOf(options.font) : undefined;
    doc.registerFont('body', options.font, family);
    doc.registerFont('bold', options.font, family);
  } else {
    doc.registerFont('body', 'Helvetica');
    doc.registerFont('bold', 'Helvetica-Bold');
  }
  const left = (doc.page.width - COLUMN_WIDTH) / 2;
  const bottom = () => doc.page.height - PAGE_MARGIN;
  let y = PAGE_MARGIN;
  const need = (height: number) => {
    if (y + height > bottom()) {
      doc.addPage();
      y = PAGE_MARGIN;
    }
  };
  const line = (text: string, size: number, bold: boolean, align: 'left' | 'center' | 'right', x = left, width = COLUMN_WIDTH) => {
    doc.font(bold ? 'bold' : 'body').fontSize(size);
    const height = doc.heightOfString(text || ' ', { width });
    need(height);
    doc.text(text, x, y, { width, align, lineBreak: true });
    return height;
  };
  if (options.note) {
    y += line(options.note, 9, false, 'left') + 8;
  }
  const draw = (block: Block) => {
    switch (block.kind) {
      case 'title':
        y += line(block.text, 18, true, 'center') + 4;
        break;
      case 'center':
        y += line(block.text, 11, block.bold ?? false, 'center') + 2;
        break;
      case 'notice': {
        doc.font('bold').fontSize(12);
        const h = doc.heightOfString(block.text, { width: COLUMN_WIDTH }) + 6;
        need(h);
        doc.rect(left, y, COLUMN_WIDTH, h).fill('#000');
        doc.fillColor('#fff').text(block.text, left, y + 3, { width: COLUMN_WIDTH, align: 'center' }).fillColor('#000');
        y += h + 2;
        break;
      }
      case 'pair': {
        doc.font(block.bold ? 'bold' : 'body').fontSize(10);
        const h = Math.max(doc.heightOfString(block.label, { width: COLUMN_WIDTH / 2 }), doc.heightOfString(block.value, { width: COLUMN_WIDTH * 0.6 }));
        need(h);
        doc.text(block.label, left, y, { width: COLUMN_WIDTH / 2, align: 'left' });
        doc.text(block.value, left + COLUMN_WIDTH * 0.4, y, { width: COLUMN_WIDTH * 0.6, align: 'right' });
        y += h + 2;
        break;
      }
      case 'text':
        y += line(block.text, 10, false, 'left') + 2;
        break;
      case 'rule':
        need(8);
        doc.moveTo(left, y + 3).lineTo(left + COLUMN_WIDTH, y + 3).lineWidth(0.5).stroke();
        y += 8;
        break;
      case 'qr': {
        const { size, dark } = qrCells(block.data);
        const side = 96;
        need(side + 8);
        const cell = side / size;
        const x0 = left + (COLUMN_WIDTH - side) / 2;
        for (const [x, yy] of dark) doc.rect(x0 + x * cell, y + 4 + yy * cell, cell, cell);
        doc.fill('#000');
        y += side + 8;
        break;
      }
    }
  };
  for (const block of document.blocks) draw(block);
  doc.end();
  return done;
}
