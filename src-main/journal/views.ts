/**
 * One redemption row as every reader outside the journal sees it — the UI (through the core), the
 * CLI and the CSV export: codes masked, amounts in integer fen, times in epoch milliseconds.
 * Pure mapping: no I/O, no SQL.
 */
import { maskCode } from '../../shared/codes.ts';
import type { RedemptionView } from '../../shared/contract.ts';
import type { RedemptionRow } from './redemptions.ts';

export function toRedemptionView(row: RedemptionRow): RedemptionView {
  return {
    id: row.id,
    terminalId: row.terminal_id,
    cashier: row.cashier,
    codeMasked: maskCode(row.scanned_code),
    codeKind: row.code_kind,
    realCodeMasked: row.real_code ? maskCode(row.real_code) : null,
    cardId: row.card_id,
    cardTitle: row.card_title,
    subCardType: row.sub_card_type,
    amountFen: row.amount_fen,
    shortfallFen: row.shortfall_fen ?? null,
    balanceBeforeFen: row.balance_before_fen,
    balanceAfterFen: row.balance_after_fen,
    state: row.state,
    reason: row.reason,
    detail: row.detail,
    offline: row.offline === 1,
    attempts: row.attempts,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The code a list shows for a redemption: the real code (masked) when known, else the scanned one. */
export function shownCode(view: RedemptionView): string {
  return view.realCodeMasked ?? view.codeMasked;
}
