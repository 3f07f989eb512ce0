import type { RedemptionState } from '../../../shared/contract.ts';

/**
 * Every state, in the order a manager reads them: money moved, nothing moved, still open,
 * corrected. Kept here rather than imported from contract.ts so the renderer bundle does not pull
 * in zod (the contract module builds its request schemas on load).
 */
const ORDER = [
  'settled',
  'declined',
  'needs_review',
  'queued',
  'pending',
  'deducting',
  'consuming',
  'voiding',
  'voided',
  'written_off',
  'collected_other',
] as const satisfies readonly RedemptionState[];

/** Fails to compile when the contract gains a state this list lacks. */
const complete: Exclude<RedemptionState, (typeof ORDER)[number]> extends never ? true : false = true;
void complete;

export const STATE_ORDER: readonly RedemptionState[] = ORDER;

export type ReviewAction = 'retry' | 'settle_partial' | 'write_off' | 'collected_other';
export const REVIEW_ACTIONS: readonly ReviewAction[] = ['retry', 'settle_partial', 'write_off', 'collected_other'];
