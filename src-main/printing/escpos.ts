/**
 * ESC/POS for 58 and 80 mm thermal printers. The printer commands (initialise, QR code, feed and
 * cut) come from @point-of-sale/receipt-printer-encoder; its text code pages are single-byte, so
 * the text goes as GB18030 (iconv-lite) with the printer in Chinese character mode (FS &), the
 * mode Chinese receipt printers (Xprinter, Gprinter, Sunmi, Epson TM-T82 China…) read it in.
 * ASCII is the same bytes in GB18030, so an English receipt prints on any ESC/POS printer.
 *
 * Also the real-time status (DLE EOT): what the status bar says about the printer.
 */
import ReceiptPrinterEncoder from '@point-of-sale/receipt-printer-encoder';
import iconv from 'iconv-lite';
import { COLUMNS, layout, type PrintDocument } from './layout.ts';

const ESC = 0x1b;
const GS = 0x1d;
const FS = 0x1c;
const DLE = 0x10;
const EOT = 0x04;
const LF = 0x0a;

/** Text in the printer's Chinese code page. */
export const encodeText = (text: string): Uint8Array => new Uint8Array(iconv.encode(text, 'gb18030'));

/** The whole document as the bytes a printer takes: text, QR code, feed and partial cut. */
export function encodeEscPos(document: PrintDocument): Uint8Array {
  const encoder = new ReceiptPrinterEncoder({ language: 'esc-pos', columns: COLUMNS[document.paperWidth], feedBeforeCut: 4 });
  // initialize() is ESC @ then FS . (Chinese mode off); FS & turns it on for the GB18030 text.
  encoder.initialize().raw([FS, 0x26]);
  for (const line of layout(document)) {
    if (line.kind === 'qr') {
      // Model 2, 6-dot modules, error correction M: a transaction id scans from a phone at once.
      encoder.align('center').qrcode(line.data, { model: 2, size: 6, errorlevel: 'm' }).align('left');
      continue;
    }
    const style: number[] = [];
    if (line.bold) style.push(ESC, 0x45, 1);
    if (line.big) style.push(GS, 0x21, 0x11);
    if (line.inverse) style.push(GS, 0x42, 1);
    const reset: number[] = [];
    if (line.inverse) reset.push(GS, 0x42, 0);
    if (line.big) reset.push(GS, 0x21, 0x00);
    if (line.bold) reset.push(ESC, 0x45, 0);
    encoder.raw(style).raw(encodeText(line.text.trimEnd() || ' ')).raw([LF]).raw(reset);
  }
  encoder.cut('partial');
  return encoder.encode();
}

/** DLE EOT 1, 2 and 4: printer status, offline cause, paper roll sensor. One byte answers each. */
export const STATUS_QUERY: Uint8Array = Uint8Array.from([DLE, EOT, 1, DLE, EOT, 2, DLE, EOT, 4]);

export type PrinterCondition =
  | 'ok'
  | 'paper_near_end'
  | 'paper_out'
  | 'cover_open'
  | 'printer_error'
  | 'offline'
  /** The device answered something that is not an ESC/POS status (wrong port or device). */
  | 'garbage'
  /** Connected, but the status query went unanswered (some printers never answer it). */
  | 'no_answer'
  /** Could not connect or open the device at all. */
  | 'unreachable';

/** Conditions that stop a receipt from being sent: it would be lost. */
export const BLOCKING: ReadonlySet<PrinterCondition> = new Set(['paper_out', 'cover_open', 'printer_error', 'offline', 'garbage', 'unreachable']);

/** A real-time status byte always has bit 1 and bit 4 set, bits 0 and 7 clear. */
const isStatusByte = (b: number) => (b & 0x93) === 0x12;

/** What the three answers to STATUS_QUERY say, worst first. */
export function interpretStatus(answer: Uint8Array): PrinterCondition {
  if (answer.length === 0) return 'no_answer';
  if (answer.length < 3 || ![...answer.subarray(0, 3)].every(isStatusByte)) return 'garbage';
  const [printer = 0, offlineCause = 0, paper = 0] = answer;
  if (paper & 0x60 || offlineCause & 0x20) return 'paper_out';
  if (offlineCause & 0x04) return 'cover_open';
  if (offlineCause & 0x40) return 'printer_error';
  if (printer & 0x08) return 'offline';
  if (paper & 0x0c) return 'paper_near_end';
  return 'ok';
}
