/**
 * Engine answers and day summaries as the UI sees them (shared/contract.ts views); redemption rows
 * through the one mapper of journal/views.ts. Pure mapping: no I/O, no SQL.
 */
import { maskCode } from '../../shared/codes.ts';
import type { CardView, DaySummary } from '../../shared/contract.ts';
import type { RedemptionRow } from '../journal/redemptions.ts';
import type { CardLookup } from '../redemption/engine.ts';

/** One row → view mapper for every reader (journal/views.ts): the core uses the same one. */
export { toRedemptionView } from '../journal/views.ts';

export function toCardView(card: CardLookup): CardView {
  const end = card.answer.card.end_time;
  return {
    codeMasked: maskCode(card.scannedCode),
    codeKind: card.codeKind,
    realCodeMasked: maskCode(card.answer.card.code),
    cardId: card.answer.card.card_id,
    title: card.definition.title,
    subCardType: card.subCardType ?? 'GIFT_CARD',
    balanceFen: card.answer.card.balance ?? 0,
    userCardStatus: card.answer.user_card_status,
    canConsume: card.answer.can_consume,
    beginTime: card.answer.card.begin_time || null,
    endTime: end === 0 || end >= 2_147_483_647 ? null : end,
    problems: card.problems,
  };
}

export function daySummary(rows: readonly RedemptionRow[], date: string): DaySummary {
  const byState: Record<string, { count: number; amountFen: number }> = {};
  const settledFenByHour = Array.from({ length: 24 }, () => 0);
  const settledCountByHour = Array.from({ length: 24 }, () => 0);
  for (const row of rows) {
    const entry = (byState[row.state] ??= { count: 0, amountFen: 0 });
    entry.count++;
    entry.amountFen += row.amount_fen;
    if (row.state === 'settled') {
      const hour = new Date(row.created_at).getHours();
      settledFenByHour[hour] = (settledFenByHour[hour] ?? 0) + row.amount_fen;
      settledCountByHour[hour] = (settledCountByHour[hour] ?? 0) + 1;
    }
  }
  return { date, byState, settledFenByHour, settledCountByHour };
}
