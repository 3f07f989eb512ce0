/**
 * The seam for "one writer per card" (docs/architecture.md, invariant "one writer per card"):
 * before the engine reads a card to change it (redeem, void, replay, review, recovery), it holds
 * the card through a CardGuard, and it releases it when the operation ends.
 *
 * Implementations:
 * - the local guard (src-main/redemption/ownership.ts): processes sharing one data dir on one
 *   PC, claims in the SQLite journal, liveness by an OS-held lock;
 * - the store hub's guard (src-main/hub/): a lease in PostgreSQL with a fencing number and a
 *   TTL, for counters on different PCs. Composed with the local one (`composeGuards`).
 */

export type HoldPurpose = 'redeem' | 'replay' | 'void' | 'review' | 'recover';

export type HoldRequest = Readonly<{
  /** The card: its real code when known, else the scanned code. */
  key: string;
  redemptionId: string;
  purpose: HoldPurpose;
  /** How long to wait for another holder before giving up (CardBusyError). */
  waitMs: number;
}>;

export type CardHold = Readonly<{
  /**
   * Milliseconds this hold is guaranteed to stay exclusive. The engine never sends a write to
   * WeChat unless this covers the request's timeout (renew() first). Infinity for holds that
   * only end when their owner process ends.
   */
  remainingMs(): number;
  /** Extends the hold; rejects (CardHoldLostError) when it was lost meanwhile. */
  renew(): Promise<void>;
  /** A number that grows with each new holder of the card (0 where the guard has none). */
  readonly fence: number;
  /**
   * What the holder saw and what it set: a guard that is shared (the hub) keeps them, so the
   * next holder can resolve an interrupted write from them.
   */
  observe(observation: Readonly<{ balanceBeforeFen: number | null; balanceSetFen?: number | null }>): Promise<void>;
  release(): Promise<void>;
}>;

export type CardGuard = Readonly<{
  /** Resolves when the card is held; rejects with CardBusyError after `waitMs`, or GuardUnavailableError. */
  acquire(request: HoldRequest): Promise<CardHold>;
  /**
   * Claims a dynamic code for a redemption (a guard that spans counters refuses a code another
   * counter used). Resolves 'replay' when it was used elsewhere.
   */
  claimDynamicCode?(code: string, redemptionId: string): Promise<'claimed' | 'replay'>;
  /** Gives a dynamic code back when nothing moved with it (declined before any write). */
  releaseDynamicCode?(code: string, redemptionId: string): Promise<void>;
  /**
   * For an interrupted write whose card has moved since: what the next holder of the card saw
   * (a guard shared between counters keeps it). 'applied' — it read exactly the balance this
   * redemption set; 'not_applied' — it read the balance this one saw before; 'unknown' otherwise.
   */
  resolveInterrupted?(key: string, redemptionId: string): Promise<Readonly<{ outcome: 'applied' | 'not_applied' | 'unknown' }>>;
}>;

/** A guard that refuses this terminal outright (a revoked counter): never a reason to go offline. */
export const isGuardRefusal = (error: unknown): boolean => error instanceof GuardUnavailableError && error.name === 'HubRefusedError';

/** Another holder kept the card past the wait. `holder` names it for the cashier ("counter T02", "gcterm redeem, pid 4242"). */
export class CardBusyError extends Error {
  readonly holder: string;
  constructor(holder: string) {
    super(`card in use by ${holder}`);
    this.name = 'CardBusyError';
    this.holder = holder;
  }
}

/** The hold ended before the work did (a lease that expired, an owner taken over). Stop before any network call. */
export class CardHoldLostError extends Error {
  constructor(message = 'the hold on the card was lost') {
    super(message);
    this.name = 'CardHoldLostError';
  }
}

/** The guard itself cannot be reached (the store hub is down): treated like an unreachable API, nothing is sent. */
export class GuardUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GuardUnavailableError';
  }
}

/** Holds with every guard in turn (local first, then the hub); released in reverse order. */
export function composeGuards(...guards: readonly CardGuard[]): CardGuard {
  return {
    async acquire(request) {
      const holds: CardHold[] = [];
      try {
        for (const guard of guards) holds.push(await guard.acquire(request));
      } catch (error) {
        for (const hold of holds.reverse()) await hold.release().catch(() => undefined);
        throw error;
      }
      return {
        remainingMs: () => Math.min(...holds.map((h) => h.remainingMs())),
        renew: async () => {
          for (const hold of holds) await hold.renew();
        },
        fence: Math.max(0, ...holds.map((h) => h.fence)),
        observe: async (observation) => {
          for (const hold of holds) await hold.observe(observation);
        },
        release: async () => {
          for (const hold of [...holds].reverse()) await hold.release().catch(() => undefined);
        },
      };
    },
    async claimDynamicCode(code, redemptionId) {
      for (const guard of guards) {
        if (guard.claimDynamicCode && (await guard.claimDynamicCode(code, redemptionId)) === 'replay') return 'replay';
      }
      return 'claimed';
    },
    async releaseDynamicCode(code, redemptionId) {
      for (const guard of guards) await guard.releaseDynamicCode?.(code, redemptionId);
    },
    async resolveInterrupted(key, redemptionId) {
      for (const guard of guards) {
        const answer = await guard.resolveInterrupted?.(key, redemptionId);
        if (answer && answer.outcome !== 'unknown') return answer;
      }
      return { outcome: 'unknown' as const };
    },
  };
}
