/** The counter: card lookup, redemption, a manager's void and review actions, offline replay. */
import type { CoreApi } from '../../shared/contract.ts';
import { err, ok } from '../../shared/result.ts';
import { failure, type CoreContext } from './context.ts';
import { toCardView, toRedemptionView } from './views.ts';

export function redemptionHandlers(ctx: CoreContext): Pick<CoreApi, 'card:lookup' | 'redemption:submit' | 'redemption:void' | 'review:resolve' | 'offline:replay'> {
  const { terminal } = ctx;
  return {
    'card:lookup': async ({ code }) => {
      if (!ctx.state.session) return failure('signed_out');
      const result = await terminal.engine.lookup(code);
      if (!result.ok) return err(result.error);
      return ok(toCardView(result.value));
    },
    'redemption:submit': async ({ code, amount, scannedAt, shortfallFen }) => {
      const session = ctx.state.session;
      if (!session) return failure('signed_out');
      // shortfallFen: a partial redemption (the card did not cover the sale), journaled with it.
      const result = await terminal.engine.redeem({ code, amount, cashier: session.name, scannedAt, ...(shortfallFen !== undefined ? { shortfallFen } : {}) });
      ctx.pushStatus();
      if (!result.ok) return err(result.error);
      return ok(toRedemptionView(result.value));
    },
    'redemption:void': async ({ id, managerPin }) => {
      const manager = await ctx.auth.manager(managerPin, 'void');
      if (!manager.ok) return err(manager.error);
      const result = await terminal.engine.void(id, manager.value.name);
      if (!result.ok) return err(result.error);
      return ok(toRedemptionView(result.value));
    },
    'review:resolve': async ({ id, action, managerPin, note }) => {
      const manager = await ctx.auth.manager(managerPin, 'review');
      if (!manager.ok) return err(manager.error);
      const result = await terminal.engine.resolveReview(id, action, manager.value.name, note);
      ctx.pushStatus();
      if (!result.ok) return err(result.error);
      return ok(toRedemptionView(result.value));
    },
    'offline:replay': async () => {
      const report = await ctx.replayer.runNow();
      ctx.pushStatus();
      return ok({ settled: report.settled, needsReview: report.needsReview, remaining: report.remaining });
    },
  };
}
