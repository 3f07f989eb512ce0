/**
 * The contract's paper calls (issue 13): receipts (reprint, preview), the receipt printer's
 * settings and test page, the cashier's shift (opened at sign-in, closed with the handover
 * report) and the day's Z-report (receipt printer and PDF). The printer's condition goes to the
 * status bar; nothing here can hold up or change a redemption.
 */
import type { CoreApi, PrinterSettingsView, PrinterStatus, ShiftView, ZReportView } from '../../shared/contract.ts';
import { ok } from '../../shared/result.ts';
import type { RedemptionRow } from '../journal/redemptions.ts';
import { createLogger } from '../log.ts';
import { findCjkFont, NO_CJK_FONT_NOTE, pdfLanguage, renderPdf } from '../printing/pdf.ts';
import { receiptSvg } from '../printing/preview.ts';
import { receiptDocument } from '../printing/receipt.ts';
import { createPrinterService, type DialogPrinter, type PrinterService } from '../printing/service.ts';
import { parsePrinterUrl } from '../printing/target.ts';
import { shiftDocument, zReportDocument } from '../shifts/documents.ts';
import { closeShift, openShift, openShiftOf, shiftReport, takeZReport, type ShiftReport } from '../journal/shifts.ts';
import { failure, type CoreContext } from './context.ts';

const log = createLogger('paper');

type PaperApi = Pick<
  CoreApi,
  'receipt:print' | 'receipt:preview' | 'printer:get' | 'printer:update' | 'printer:test' | 'shift:current' | 'shift:close' | 'zreport:take'
>;

export type CorePaper = Readonly<{
  printer: PrinterService;
  handlers: PaperApi;
  status(): PrinterStatus;
  stop(): Promise<void>;
}>;

/** Core printers in this process, for the status view (core/status.ts reads it by terminal). */
const printers = new WeakMap<object, PrinterService>();

/** The printer's condition for the status bar, when this terminal has a printer service. */
export function printerStatusOf(terminal: object): PrinterStatus | undefined {
  return printers.get(terminal)?.state();
}

/** A receipt nobody made: what the Settings screen previews and the test page prints. */
function sampleRow(terminalId: string, now: number): RedemptionRow {
  return {
    id: 'TEST-0000-PRINT',
    terminal_id: terminalId,
    cashier: '收银员1',
    scanned_code: '000000000000',
    code_kind: 'card_code',
    scanned_at: now,
    real_code: '000000000000',
    card_id: null,
    card_title: '礼品卡',
    sub_card_type: 'GIFT_CARD',
    amount_fen: 3_550,
    balance_before_fen: 50_000,
    target_balance_fen: 46_450,
    balance_after_fen: 46_450,
    state: 'settled',
    reason: null,
    detail: null,
    offline: 0,
    attempts: 1,
    created_at: now,
    updated_at: now,
  } as RedemptionRow;
}

const shiftView = (report: ShiftReport): ShiftView => ({
  id: report.shift.id,
  cashier: report.shift.cashier,
  openedAt: report.shift.opened_at,
  closedAt: report.shift.closed_at,
  closedBy: report.shift.closed_by,
  tally: report.tally,
});

export function createCorePaper(ctx: CoreContext, options: Readonly<{ dialog?: DialogPrinter; probeIntervalMs?: number }> = {}): CorePaper {
  const { terminal } = ctx;
  const current = () => ctx.settings.current;
  const printer = createPrinterService({
    db: terminal.db,
    settings: () => ({ printer: current().printer, terminalId: current().terminalId, language: current().language }),
    onState: () => ctx.pushStatus(),
    ...(options.dialog ? { dialog: options.dialog } : {}),
  });
  printers.set(terminal, printer);
  const unsubscribe = terminal.engine.onChange((row) => printer.onRedemption(row));

  // The status bar learns of a printer out of paper before the next receipt fails.
  const probe = () => void printer.probe().catch((error: unknown) => log.warn('printer probe failed', { message: (error as Error).message }));
  probe();
  const probeTimer = setInterval(probe, options.probeIntervalMs ?? 60_000);
  probeTimer.unref();
  const unfollow = ctx.settings.onChange(({ changed }) => {
    if (changed.includes('printer')) probe();
  });

  const settingsView = (): PrinterSettingsView => ({ ...current().printer });
  const sampleSvg = () =>
    receiptSvg(
      receiptDocument(sampleRow(current().terminalId, ctx.now()), 'sale', {
        storeName: current().printer.storeName,
        terminalId: current().terminalId,
        language: ctx.state.language,
        paperWidth: current().printer.paperWidth,
      }),
    );

  const handlers: PaperApi = {
    'receipt:print': async ({ id }) => {
      if (!ctx.state.session) return failure('signed_out');
      const result = await printer.printRedemption(id, { reprint: true });
      if ('error' in result) return failure(result.error === 'not_found' ? 'not_found' : 'invalid_request', result.error === 'no_receipt' ? { field: 'state' } : undefined);
      return ok(result);
    },
    'receipt:preview': async ({ id }) => {
      const svg = printer.previewRedemption(id);
      return svg === null ? failure('not_found') : ok({ svg });
    },
    'printer:get': async ({ managerPin }) => {
      const manager = await ctx.auth.manager(managerPin, 'settings');
      if (!manager.ok) return manager;
      return ok({ settings: settingsView(), status: printer.state(), sampleSvg: sampleSvg() });
    },
    'printer:update': async ({ managerPin, patch }) => {
      const manager = await ctx.auth.manager(managerPin, 'settings');
      if (!manager.ok) return manager;
      if (patch.url !== undefined && !parsePrinterUrl(patch.url).ok) return failure('invalid_request', { field: 'printer.url' });
      const applied = ctx.settings.apply({ printer: patch });
      if (!applied.ok) return failure('invalid_request', { field: applied.error.field });
      return ok({ settings: settingsView(), status: printer.state(), sampleSvg: sampleSvg() });
    },
    'printer:test': async ({ managerPin }) => {
      const manager = await ctx.auth.manager(managerPin, 'settings');
      if (!manager.ok) return manager;
      const document = receiptDocument(sampleRow(current().terminalId, ctx.now()), 'sale', {
        storeName: current().printer.storeName,
        terminalId: current().terminalId,
        language: current().language,
        paperWidth: current().printer.paperWidth,
      });
      return ok(await printer.printDocument(document, 'test'));
    },
    'shift:current': async () => {
      const session = ctx.state.session;
      if (!session) return failure('signed_out');
      const open = openShiftOf(terminal.db, current().terminalId, session.name);
      return ok(open ? shiftView(shiftReport(terminal.db, open, ctx.now())) : null);
    },
    'shift:close': async ({ print }) => {
      const session = ctx.state.session;
      if (!session) return failure('signed_out');
      const closed = closeShift(terminal.db, current().terminalId, session.name, session.name, ctx.now());
      if (!closed.ok) return failure('not_found');
      const document = shiftDocument(closed.report, ctx.state.language, current().printer.paperWidth, current().printer.storeName);
      const printed = print ? await printer.printDocument(document, `shift ${closed.report.shift.id}`) : null;
      // The handover ends the cashier's session: the next one signs in (and opens their shift).
      ctx.state.session = null;
      ctx.pushStatus();
      return ok({ shift: shiftView(closed.report), svg: receiptSvg(document), print: printed });
    },
    'zreport:take': async ({ date, managerPin, print }) => {
      const manager = await ctx.auth.manager(managerPin, 'zreport');
      if (!manager.ok) return manager;
      const { report, reprint } = takeZReport(terminal.db, current().terminalId, date, manager.value.name, ctx.now());
      const settings = current().printer;
      const document = zReportDocument(report, ctx.state.language, settings.paperWidth, settings.storeName, reprint);
      const font = findCjkFont();
      const language = pdfLanguage(ctx.state.language, font);
      const pdf = await renderPdf(zReportDocument(report, language, settings.paperWidth, settings.storeName, reprint), {
        font,
        title: `Z${report.zNumber} ${date}`,
        ...(font ? {} : { note: NO_CJK_FONT_NOTE }),
      });
      const printed = print ? await printer.printDocument(document, `z ${report.zNumber}`) : null;
      const view: ZReportView = {
        ...report,
        reprint,
        svg: receiptSvg(document),
        pdfBase64: pdf.toString('base64'),
        pdfFilename: `gcterm-${report.terminalId}-Z${String(report.zNumber).padStart(4, '0')}-${date}.pdf`,
      };
      return ok({ report: view, print: printed });
    },
  };

  return {
    printer,
    handlers,
    status: () => printer.state(),
    async stop() {
      clearInterval(probeTimer);
      unfollow();
      unsubscribe();
      printers.delete(terminal);
      await printer.idle();
    },
  };
}

/** Signing in opens the person's shift (or keeps the one still open); sign-in itself is unchanged. */
export function openShiftAtSignIn<T extends Pick<CoreApi, 'session:signIn'>>(ctx: CoreContext, handlers: T): T {
  const signIn = handlers['session:signIn'];
  return {
    ...handlers,
    'session:signIn': async (request: Parameters<typeof signIn>[0]) => {
      const result = await signIn(request);
      if (result.ok && result.value.name) {
        try {
          openShift(ctx.terminal.db, ctx.settings.current.terminalId, result.value.name, ctx.now());
        } catch (error) {
          // A shift that cannot be journaled does not keep the cashier from working.
          log.error('cannot open the shift', { message: (error as Error).message });
        }
      }
      return result;
    },
  };
}
