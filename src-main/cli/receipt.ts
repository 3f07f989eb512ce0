/**
 * `gcterm receipt <id> [--printer URL] [--svg FILE]`: prints a redemption's receipt again from the
 * journal (marked as a reprint), on the configured printer or the one given; `--svg` writes what
 * would be printed as a picture. The id may be shortened to its first characters, as
 * `gcterm journal` lists it, when that is unambiguous.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Db } from '../journal/db.ts';
import { redemptionIdsByPrefix } from '../journal/id-prefix.ts';
import { getRedemption } from '../journal/redemptions.ts';
import { receiptSvg } from '../printing/preview.ts';
import { receiptDocument, receiptKindFor } from '../printing/receipt.ts';
import { createPrinterService } from '../printing/service.ts';
import { parsePrinterUrl, printerUrl, type PrinterTarget } from '../printing/target.ts';
import type { Terminal } from '../terminal.ts';
import type { Translator } from './i18n.ts';
import type { CliIO, RegisterCommand } from './io.ts';
import { EXIT, globals, withTerminal } from './terminal-commands.ts';

/** The full id of a redemption from its id or an unambiguous start of it. */
export function resolveId(db: Db, text: string): string | null {
  if (getRedemption(db, text)) return text;
  if (!/^[0-9a-zA-Z-]{4,}$/.test(text)) return null;
  const ids = redemptionIdsByPrefix(db, text, 2);
  return ids.length === 1 ? (ids[0] ?? null) : null;
}

/** The printer from --printer, else the settings (GCTERM_PRINTER); a bad URL is said in words. */
export function printerFrom(io: CliIO, tr: Translator, flag: string | undefined, terminal: Terminal): PrinterTarget | null {
  const parsed = parsePrinterUrl(flag ?? terminal.config.settings.printer.url);
  if (!parsed.ok) {
    io.err(parsed.message[tr.language]);
    io.setExitCode(EXIT.error);
    return null;
  }
  return parsed.target;
}

export function printerService(terminal: Terminal) {
  return createPrinterService({
    db: terminal.db,
    settings: () => ({ printer: terminal.config.settings.printer, terminalId: terminal.config.settings.terminalId, language: terminal.config.settings.language }),
  });
}

type ReceiptOptions = Readonly<{ printer?: string; svg?: string }>;

export const registerReceiptCommand: RegisterCommand = (program, io) => {
  program
    .command('receipt')
    .description("print a redemption's receipt again (reprint) / 重印交易小票")
    .argument('<id>', 'the redemption id (or its first characters)')
    .option('--printer <url>', 'tcp://host:9100, serial:/dev/ttyUSB0?baud=9600, file:/dev/usb/lp0 (default: the settings)')
    .option('--svg <file>', 'write the receipt as an SVG picture instead of (or besides) printing')
    .action(async (idText: string, local: ReceiptOptions, command: Command) => {
      const options = globals(command);
      await withTerminal(io, options, async (terminal, tr) => {
        const id = resolveId(terminal.db, idText);
        const row = id ? getRedemption(terminal.db, id) : undefined;
        if (!row) {
          if (options.json) io.out(JSON.stringify({ error: 'not_found', message: tr.t('notFound', { id: idText }) }));
          else io.err(tr.t('notFound', { id: idText }));
          io.setExitCode(EXIT.error);
          return;
        }
        const kind = receiptKindFor(row);
        if (!kind) {
          if (options.json) io.out(JSON.stringify({ error: 'no_receipt', message: tr.t('noReceipt', { state: tr.t(`state.${row.state}`) }) }));
          else io.err(tr.t('noReceipt', { state: tr.t(`state.${row.state}`) }));
          io.setExitCode(EXIT.error);
          return;
        }
        const target = printerFrom(io, tr, local.printer, terminal);
        if (!target) return;
        if (local.svg) {
          const settings = terminal.config.settings;
          const document = receiptDocument(row, kind, {
            storeName: settings.printer.storeName,
            terminalId: settings.terminalId,
            language: settings.language,
            paperWidth: settings.printer.paperWidth,
          });
          writeFileSync(local.svg, receiptSvg(document));
          if (!options.json) io.out(tr.t('previewWritten', { file: local.svg }));
          if (target.kind === 'none' && local.printer === undefined) {
            if (options.json) io.out(JSON.stringify({ id: row.id, kind, printed: false, svg: local.svg }));
            return;
          }
        }
        if (target.kind === 'none' || target.kind === 'dialog') {
          io.err(tr.t('noPrinter'));
          io.setExitCode(EXIT.error);
          return;
        }
        const result = await printerService(terminal).printRedemption(row.id, { reprint: true, target });
        if ('error' in result) return;
        const url = printerUrl(target);
        if (options.json) io.out(JSON.stringify({ id: row.id, kind, printer: url, printed: result.printed, condition: result.condition }));
        else if (result.printed) io.out(tr.t('printed', { printer: url }));
        else io.err(tr.t('notPrinted', { printer: url, condition: `${tr.t(`condition.${result.condition ?? 'unreachable'}`)}${result.message ? ` (${result.message})` : ''}` }));
        if (!result.printed) io.setExitCode(EXIT.error);
      });
    });
};
