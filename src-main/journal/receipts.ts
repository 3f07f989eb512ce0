/** Receipts sent to a printer (migration 0004): what was printed for which redemption, and how it went. */
import { inTransaction, stmt, type Db } from './db.ts';
import { appendEvent } from './events.ts';

export type ReceiptRecord = Readonly<{ redemptionId: string | null; kind: string; reprint: boolean; printer: string; outcome: string }>;

/** Records a receipt and its chain event in one commit. */
export function recordReceipt(db: Db, receipt: ReceiptRecord): void {
  inTransaction(db, () => {
    stmt(db, 'INSERT INTO receipts (redemption_id, kind, reprint, printer, outcome, printed_at) VALUES (?, ?, ?, ?, ?, ?)').run(
      receipt.redemptionId,
      receipt.kind,
      receipt.reprint ? 1 : 0,
      receipt.printer,
      receipt.outcome,
      Date.now(),
    );
    appendEvent(db, { redemptionId: receipt.redemptionId, kind: 'receipt', data: { kind: receipt.kind, reprint: receipt.reprint, printer: receipt.printer, outcome: receipt.outcome } });
  });
}

/** Whether a first (not reprinted) receipt of this kind was already sent for the redemption. */
export function receiptPrinted(db: Db, redemptionId: string, kind: string): boolean {
  return stmt(db, 'SELECT 1 FROM receipts WHERE redemption_id = ? AND kind = ? AND reprint = 0 LIMIT 1').get(redemptionId, kind) !== undefined;
}
