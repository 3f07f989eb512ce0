/** The journal as the End of day screen reads it: lists, the day's summary, the chain, CSV. */
import type { CoreApi } from '../../shared/contract.ts';
import { ok } from '../../shared/result.ts';
import { verifyChain } from '../journal/events.ts';
import { toCsv } from '../journal/export.ts';
import { journalHead } from '../journal/head.ts';
import { dayRange, listRedemptions } from '../journal/redemptions.ts';
import { failure, type CoreContext } from './context.ts';
import { daySummary, toRedemptionView } from './views.ts';

export function journalHandlers(ctx: CoreContext): Pick<CoreApi, 'journal:list' | 'journal:summary' | 'journal:verify' | 'journal:exportCsv'> {
  const { terminal } = ctx;
  return {
    'journal:list': async ({ date, state, cashier, search }) => {
      const range = date ? dayRange(date) : {};
      const rows = listRedemptions(terminal.db, { ...range, state, cashier, search });
      // Digits are a card's last digits (or the whole scanned code): its code must END with them,
      // so 0001 finds …0001 and not …0101.
      const suffix = search !== undefined && /^\d+$/.test(search) ? search : null;
      const matching = suffix === null ? rows : rows.filter((r) => r.scanned_code.endsWith(suffix) || (r.real_code ?? '').endsWith(suffix));
      return ok(matching.map(toRedemptionView));
    },
    'journal:summary': async ({ date }) => ok(daySummary(listRedemptions(terminal.db, dayRange(date)), date)),
    'journal:verify': async () => ok(verifyChain(terminal.db)),
    // One day, or `date` to `to` (both included); headers, states and reasons in the UI's language unless asked.
    'journal:exportCsv': async ({ date, to, language }) => {
      if (to !== undefined && to < date) return failure('invalid_request', { field: 'to' });
      const range = { fromMs: dayRange(date).fromMs, toMs: dayRange(to ?? date).toMs };
      const csv = toCsv(listRedemptions(terminal.db, range), { head: journalHead(terminal.db), language: language ?? ctx.state.language });
      return ok({ filename: `gcterm-${terminal.config.settings.terminalId}-${date}${to && to !== date ? `_${to}` : ''}.csv`, csv });
    },
  };
}
