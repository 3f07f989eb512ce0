/**
 * The terminal's receipt printer: prints a redemption's receipt (automatically after a settled,
 * queued or voided redemption when auto-print is on, or again from the journal), a shift handover
 * or a Z-report; keeps the printer's last known condition for the status bar; records every
 * receipt in the journal (table `receipts` and a chain event).
 *
 * A printer can never affect a redemption: printing starts after the redemption's state is
 * committed, runs on its own queue, never throws into the engine, and every wait has a deadline.
 */
import type { Language } from '../../shared/i18n/reasons.ts';
import type { Db } from '../journal/db.ts';
import { receiptPrinted, recordReceipt } from '../journal/receipts.ts';
import { getRedemption, type RedemptionRow } from '../journal/redemptions.ts';
import { createLogger } from '../log.ts';
import { encodeEscPos, type PrinterCondition } from './escpos.ts';
import type { PrintDocument } from './layout.ts';
import { receiptHtml, receiptSvg } from './preview.ts';
import { receiptDocument, receiptKindFor, type ReceiptKind } from './receipt.ts';
import type { PrinterSettings } from './settings.ts';
import { parsePrinterUrl, printerUrl, type PrinterTarget } from './target.ts';
import { sendToPrinter, type SendOptions } from './transport.ts';

const log = createLogger('printer');

/** What the status bar shows about the printer. */
export type PrinterState = Readonly<{
  /** `none`: no printer configured; `dialog`: the desktop app's print dialog. */
  target: string;
  kind: PrinterTarget['kind'];
  /** null until the printer was first asked. */
  condition: PrinterCondition | null;
  /** Unix ms of the last answer (or failure). */
  at: number | null;
  message?: string;
  autoPrint: boolean;
}>;

export type PrintResult = Readonly<{ printed: boolean; condition: PrinterCondition | null; message?: string }>;

/** The desktop shell's OS print dialog for an HTML page; resolves to whether it printed. */
export type DialogPrinter = (html: string, title: string) => Promise<boolean>;

export type PrinterServiceOptions = Readonly<{
  db: Db;
  /** Read at each print: settings saved on the Settings screen apply at once. */
  settings(): Readonly<{ printer: PrinterSettings; terminalId: string; language: Language }>;
  onState?(state: PrinterState): void;
  dialog?: DialogPrinter;
  send?: SendOptions;
}>;

export type PrinterService = Readonly<{
  state(): PrinterState;
  /** Asks the printer its status (DLE EOT) without printing. */
  probe(): Promise<PrinterState>;
  /** The redemption's receipt: printed now (a reprint when `reprint`). */
  printRedemption(id: string, options?: Readonly<{ reprint?: boolean; target?: PrinterTarget }>): Promise<PrintResult | { error: 'not_found' | 'no_receipt' }>;
  printDocument(document: PrintDocument, label: string, target?: PrinterTarget): Promise<PrintResult>;
  /** The receipt of a redemption as the printer would print it, as SVG. */
  previewRedemption(id: string): string | null;
  /** Called with every changed redemption (engine.onChange): prints what is due. */
  onRedemption(row: RedemptionRow): void;
  /** Resolves when every print asked so far is done (tests, shutdown). */
  idle(): Promise<void>;
}>;

export function createPrinterService(options: PrinterServiceOptions): PrinterService {
  const { db } = options;
  let last: { condition: PrinterCondition | null; at: number | null; message?: string; target: string } = { condition: null, at: null, target: '' };
  let chain: Promise<unknown> = Promise.resolve();
  /** Receipts on their way: a second change of the same row does not print twice. */
  const pending = new Set<string>();

  const target = (): PrinterTarget => {
    const parsed = parsePrinterUrl(options.settings().printer.url);
    return parsed.ok ? parsed.target : { kind: 'none' };
  };

  const state = (): PrinterState => {
    const current = target();
    const url = printerUrl(current);
    // A condition reported for another printer (the settings changed since) is not shown.
    const known = last.target === url;
    return {
      target: url,
      kind: current.kind,
      condition: known ? last.condition : null,
      at: known ? last.at : null,
      ...(known && last.message ? { message: last.message } : {}),
      autoPrint: options.settings().printer.autoPrint,
    };
  };

  const remember = (to: PrinterTarget, condition: PrinterCondition | null, message?: string) => {
    last = { condition, at: Date.now(), target: printerUrl(to), ...(message ? { message } : {}) };
    if (condition !== 'ok' && condition !== null) log.warn('printer trouble', { printer: printerUrl(to), condition, message });
    try {
      options.onState?.(state());
    } catch (error) {
      log.error('printer state listener failed', { message: (error as Error).message });
    }
  };

  /** One print at a time, in order; a failure never breaks the queue. */
  const enqueue = <T>(job: () => Promise<T>): Promise<T> => {
    const run = chain.then(job, job);
    chain = run.catch(() => undefined);
    return run;
  };

  const deliver = (document: PrintDocument, title: string, to: PrinterTarget): Promise<PrintResult> =>
    enqueue(async () => {
      if (to.kind === 'none') return { printed: false, condition: null, message: 'no printer configured' };
      if (to.kind === 'dialog') {
        if (!options.dialog) {
          const message = 'the OS print dialog exists only in the desktop app';
          remember(to, 'unreachable', message);
          return { printed: false, condition: 'unreachable', message };
        }
        try {
          const printed = await options.dialog(receiptHtml(document, title), title);
          remember(to, 'ok');
          return { printed, condition: 'ok' };
        } catch (error) {
          remember(to, 'unreachable', (error as Error).message);
          return { printed: false, condition: 'unreachable', message: (error as Error).message };
        }
      }
      const outcome = await sendToPrinter(to, encodeEscPos(document), options.send);
      remember(to, outcome.condition, outcome.message);
      return outcome;
    });

  const record = (redemptionId: string | null, kind: string, reprint: boolean, to: PrinterTarget, result: PrintResult) => {
    const outcome = result.printed ? 'printed' : (result.condition ?? 'not_printed');
    try {
      recordReceipt(db, { redemptionId, kind, reprint, printer: printerUrl(to), outcome });
    } catch (error) {
      // The journal may be closing: the receipt itself went out (or not) all the same.
      log.error('cannot record a receipt', { message: (error as Error).message });
    }
  };

  const documentFor = (row: RedemptionRow, kind: ReceiptKind, reprint: boolean): PrintDocument => {
    const settings = options.settings();
    return receiptDocument(row, kind, {
      storeName: settings.printer.storeName,
      terminalId: settings.terminalId,
      language: settings.language,
      paperWidth: settings.printer.paperWidth,
      reprint,
      printedAt: Date.now(),
    });
  };

  const alreadyPrinted = (id: string, kind: ReceiptKind): boolean =>
    receiptPrinted(db, id, kind);

  return {
    state,
    async probe() {
      const to = target();
      if (to.kind === 'tcp' || to.kind === 'serial') {
        await enqueue(async () => {
          const outcome = await sendToPrinter(to, null, options.send);
          remember(to, outcome.condition, outcome.message);
        });
      }
      return state();
    },
    async printRedemption(id, printOptions = {}) {
      const row = getRedemption(db, id);
      if (!row) return { error: 'not_found' } as const;
      const kind = receiptKindFor(row);
      if (!kind) return { error: 'no_receipt' } as const;
      const reprint = printOptions.reprint ?? false;
      const to = printOptions.target ?? target();
      const result = await deliver(documentFor(row, kind, reprint), `${kind} ${row.id}`, to);
      if (to.kind !== 'none') record(row.id, kind, reprint, to, result);
      return result;
    },
    async printDocument(document, label, to = target()) {
      const result = await deliver(document, label, to);
      if (to.kind !== 'none') record(null, label, false, to, result);
      return result;
    },
    previewRedemption(id) {
      const row = getRedemption(db, id);
      const kind = row ? receiptKindFor(row) : null;
      return row && kind ? receiptSvg(documentFor(row, kind, false)) : null;
    },
    onRedemption(row) {
      try {
        const settings = options.settings();
        if (!settings.printer.autoPrint || target().kind === 'none') return;
        const kind = receiptKindFor(row);
        if (!kind) return;
        // Settled by the offline replay: the customer left with the "not yet deducted" receipt.
        if (kind === 'sale' && row.offline === 1) return;
        const key = `${row.id}:${kind}`;
        if (pending.has(key) || alreadyPrinted(row.id, kind)) return;
        pending.add(key);
        const to = target();
        void deliver(documentFor(row, kind, false), `${kind} ${row.id}`, to)
          .then(
            (result) => record(row.id, kind, false, to, result),
            (error: unknown) => log.error('auto-print failed', { message: (error as Error).message }),
          )
          .finally(() => pending.delete(key));
      } catch (error) {
        log.error('auto-print failed', { message: (error as Error).message });
      }
    },
    idle: () => chain.then(() => undefined),
  };
}
