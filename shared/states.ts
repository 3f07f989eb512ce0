/**
 * The redemption state machine: which state may follow which. The journal enforces it on every
 * change (src-main/journal/redemptions.ts: compare-and-set on the expected state), so a process
 * that lost a race cannot move a row, and a final state never changes.
 * A state listed as following itself may be updated in place (attempts, what is known).
 */
import type { RedemptionState } from './contract.ts';

export const TRANSITIONS: Readonly<Record<RedemptionState, readonly RedemptionState[]>> = {
  // Journaled; nothing sent. Lookup answers decide.
  pending: ['deducting', 'consuming', 'queued', 'declined'],
  // Accepted offline; the replay forwards it (or finds the card busy and leaves it queued).
  queued: ['queued', 'deducting', 'consuming', 'needs_review'],
  // updateuser may have been sent: read back, never deduct again.
  deducting: ['deducting', 'consuming', 'settled', 'declined', 'queued', 'needs_review'],
  // code/consume may have been sent (after an emptying deduction, or a voucher).
  consuming: ['consuming', 'settled', 'declined', 'queued', 'needs_review'],
  // A manager's void.
  settled: ['voiding'],
  voiding: ['voiding', 'voided', 'settled', 'needs_review'],
  // A manager decides.
  needs_review: ['queued', 'deducting', 'written_off', 'collected_other'],
  declined: [],
  voided: [],
  written_off: [],
  collected_other: [],
};

/** States in which a request that changes the card may be in flight. */
export const IN_FLIGHT_STATES: readonly RedemptionState[] = ['deducting', 'consuming', 'voiding'];

/** States a process is working through; each has an owner (recovery takes a dead owner's). */
export const UNFINISHED_STATES: readonly RedemptionState[] = ['pending', 'deducting', 'consuming', 'voiding'];

export const canTransition = (from: RedemptionState, to: RedemptionState): boolean => TRANSITIONS[from].includes(to);
