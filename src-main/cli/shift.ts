/**
 * `gcterm shift open|close|report` — a cashier's shift and its handover report — and
 * `gcterm zreport [--date D]` — the day's Z-report with its running number, on screen, on the
 * receipt printer (`--print`) and as PDF (`--pdf FILE`). A Z-report is taken once per day;
 * asking again reprints the same one. `--preview` shows the day without taking it.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { localDateTime } from '../journal/export.ts';
import { localDate } from '../journal/redemptions.ts';
import { center, COLUMNS, layout, type PrintDocument } from '../printing/layout.ts';
import { findCjkFont, NO_CJK_FONT_NOTE, pdfLanguage, renderPdf } from '../printing/pdf.ts';
import { printerUrl } from '../printing/target.ts';
import { shiftDocument, zReportDocument } from '../shifts/documents.ts';
import { closeShift, openShift, openShiftOf, previewZReport, shiftReport, takeZReport } from '../journal/shifts.ts';
import type { Terminal } from '../terminal.ts';
import type { Translator } from './i18n.ts';
import type { CliIO, RegisterCommand } from './io.ts';
import { isDay } from './messages.ts';
import { printerFrom, printerService } from './receipt.ts';
import { EXIT, globals, withTerminal } from './terminal-commands.ts';

const whoami = (terminal: Terminal) => process.env.GCTERM_CASHIER ?? terminal.config.settings.cashier;

/** The document as the printer lays it out; double-width lines centred on the full width here. */
function show(io: CliIO, document: PrintDocument): void {
  const width = COLUMNS[document.paperWidth];
  for (const line of layout(document)) if (line.kind === 'text') io.out((line.big ? center(line.text.trim(), width) : line.text).trimEnd());
}

async function printOn(io: CliIO, tr: Translator, terminal: Terminal, flag: string | undefined, document: PrintDocument, label: string): Promise<void> {
  const target = printerFrom(io, tr, flag, terminal);
  if (!target) return;
  if (target.kind === 'none' || target.kind === 'dialog') {
    io.err(tr.t('noPrinter'));
    io.setExitCode(EXIT.error);
    return;
  }
  const result = await printerService(terminal).printDocument(document, label, target);
  if (result.printed) io.err(tr.t('printed', { printer: printerUrl(target) }));
  else {
    io.err(tr.t('notPrinted', { printer: printerUrl(target), condition: tr.t(`condition.${result.condition ?? 'unreachable'}`) }));
    io.setExitCode(EXIT.error);
  }
}

type ShiftOptions = Readonly<{ cashier?: string; print?: boolean; printer?: string }>;
type ZOptions = Readonly<{ date?: string; preview?: boolean; print?: boolean; printer?: string; pdf?: string }>;

export const registerShiftCommands: RegisterCommand = (program, io) => {
  program
    .command('shift')
    .description("a cashier's shift: open, close with the handover report, report so far / 班次：开班、交班报表")
    .argument('<action>', 'open, close or report')
    .option('--cashier <name>', 'whose shift (default: GCTERM_CASHIER or the settings)')
    .option('--print', 'print the handover report on the receipt printer')
    .option('--printer <url>', 'the printer to use instead of the settings')
    .action(async (action: string, local: ShiftOptions, command: Command) => {
      const options = globals(command);
      await withTerminal(io, options, async (terminal, tr) => {
        const settings = terminal.config.settings;
        const cashier = local.cashier ?? whoami(terminal);
        if (!['open', 'close', 'report'].includes(action)) {
          io.err(tr.t('usage', { detail: `shift open | close | report (${action})` }));
          io.setExitCode(EXIT.error);
          return;
        }
        if (action === 'open') {
          const shift = openShift(terminal.db, settings.terminalId, cashier);
          if (options.json) io.out(JSON.stringify(shift));
          else io.out(tr.t('shiftOpened', { id: shift.id, cashier, at: localDateTime(shift.opened_at) }));
          return;
        }
        let report;
        if (action === 'close') {
          const closed = closeShift(terminal.db, settings.terminalId, cashier, whoami(terminal));
          if (!closed.ok) {
            io.err(tr.t('shiftNone', { cashier }));
            io.setExitCode(EXIT.error);
            return;
          }
          report = closed.report;
        } else {
          const open = openShiftOf(terminal.db, settings.terminalId, cashier);
          if (!open) {
            io.err(tr.t('shiftNone', { cashier }));
            io.setExitCode(EXIT.error);
            return;
          }
          report = shiftReport(terminal.db, open);
        }
        const document = shiftDocument(report, tr.language, settings.printer.paperWidth, settings.printer.storeName);
        if (options.json) io.out(JSON.stringify({ shift: report.shift, tally: report.tally }));
        else {
          if (action === 'close') io.out(tr.t('shiftClosed', { id: report.shift.id, cashier }));
          show(io, document);
        }
        if (local.print) await printOn(io, tr, terminal, local.printer, document, `shift ${report.shift.id}`);
      });
    });

  program
    .command('zreport')
    .description("the day's Z-report: running Z number, totals by cashier and shift / Z 报表（日结）")
    .option('--date <YYYY-MM-DD>', 'the business day (default: today)')
    .option('--preview', 'show the day as a Z-report would, without taking it (no Z number used)')
    .option('--print', 'print it on the receipt printer')
    .option('--printer <url>', 'the printer to use instead of the settings')
    .option('--pdf <file>', 'write it as PDF (A4)')
    .action(async (local: ZOptions, command: Command) => {
      const options = globals(command);
      await withTerminal(io, options, async (terminal, tr) => {
        const settings = terminal.config.settings;
        const date = local.date ?? localDate(Date.now());
        if (!isDay(date)) {
          io.err(tr.t('badDate', { date }));
          io.setExitCode(EXIT.error);
          return;
        }
        const taken = local.preview
          ? { report: previewZReport(terminal.db, settings.terminalId, date, whoami(terminal)), reprint: false }
          : takeZReport(terminal.db, settings.terminalId, date, whoami(terminal));
        const { report, reprint } = taken;
        const document = zReportDocument(report, tr.language, settings.printer.paperWidth, settings.printer.storeName, reprint);
        if (options.json) io.out(JSON.stringify({ ...report, reprint, preview: local.preview ?? false }));
        else {
          if (!local.preview) io.out(tr.t(reprint ? 'zReprint' : 'zTaken', { number: String(report.zNumber).padStart(4, '0'), date }));
          show(io, document);
        }
        if (local.pdf) {
          const font = findCjkFont();
          const language = pdfLanguage(tr.language, font);
          if (language !== tr.language) io.err(tr.t('noCjkFont'));
          const pdfDocument = zReportDocument(report, language, settings.printer.paperWidth, settings.printer.storeName, reprint);
          const pdf = await renderPdf(pdfDocument, { font, title: `Z${report.zNumber} ${date}`, ...(font ? {} : { note: NO_CJK_FONT_NOTE }) });
          writeFileSync(local.pdf, pdf);
          if (!options.json) io.err(tr.t('pdfWritten', { file: local.pdf }));
        }
        if (local.print) await printOn(io, tr, terminal, local.printer, document, `z ${report.zNumber}`);
      });
    });
};
