/**
 * Named step boundaries of a redemption, where the crash and race tests inject faults (a kill,
 * a pause, a full disk). Production code only calls `at(name)`; nothing is read from the
 * environment here. A test entry point (test/helpers/faulty-gcterm.ts) installs its hooks
 * before the CLI runs.
 */
import type { Db } from '../journal/db.ts';

export type FaultPoint =
  | 'after-pending'
  | 'before-update-send'
  | 'update-sent'
  | 'after-update-answer'
  | 'before-consume'
  | 'after-consume-answer'
  | 'before-void-send';

export type FaultHooks = Readonly<{
  /** Called at each step boundary with the journal; may throw, kill the process, or pause (resolve later). */
  at?(point: FaultPoint, db: Db): void | Promise<void>;
  /**
   * Removes the card holds and the compare-and-set check of the `deducting` commit: only for the
   * test that shows they are what keeps a redemption exactly once.
   */
  weakenGuards?: boolean;
}>;

let installed: FaultHooks | null = null;

/** For test entry points only. */
export function installFaultHooks(hooks: FaultHooks | null): void {
  installed = hooks;
}

export async function faultPoint(point: FaultPoint, db: Db): Promise<void> {
  if (installed?.at) await installed.at(point, db);
}

export const guardsWeakened = (): boolean => installed?.weakenGuards === true;
