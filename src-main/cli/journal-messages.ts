/**
 * The CLI's words for the journal's health: what `journal verify` found, why the journal could
 * not be opened (a refusal to start, never a stack trace), and a SQLite failure in the middle of a
 * command.
 */
import type { ChainVerification } from '../../shared/contract.ts';
import { describeJournalProblem, describeOpenFailure } from '../../shared/i18n/journal.ts';
import { openFailureReason, SqliteOpenError } from '../sqlite.ts';
import type { Translator } from './i18n.ts';

/** Lines for `gcterm journal verify`: the verdict, the head, then every further problem. */
export function describeVerification(result: ChainVerification, tr: Translator): string[] {
  const problems = (result.problems ?? []).map((problem) => describeJournalProblem(problem, tr.language));
  const head = result.head ? [`  ${tr.t('chainHead', { seq: result.head.seq, hash: result.head.hash })}`] : [];
  if (result.ok) return [tr.t('chainOk', { count: result.checked }), ...head];
  const [first = result.brokenAt?.problem ?? '?', ...rest] = problems;
  return [tr.t('chainBroken', { problem: first }), ...rest.map((line) => `  - ${line}`), ...head];
}

/** The refusal to start for a journal (or simulator database) that cannot be opened. */
export function describeStartFailure(error: SqliteOpenError, tr: Translator): string {
  return describeOpenFailure(error.reason, { path: error.path, message: error.detail }, tr.language);
}

export const isSqliteError = (error: unknown): error is Error & { code: string } =>
  error instanceof Error && error.name === 'SqliteError' && typeof (error as { code?: unknown }).code === 'string';

/**
 * A SQLite failure during a command (the disk filled up, the file became read-only…): what was
 * sent before it cannot be ruled out, so the advice is `recover`, never "try again".
 */
export function describeJournalFailure(error: Error & { code: string }, tr: Translator): string {
  return tr.t('journalFailed', { reason: tr.t(`journalFailure.${openFailureReason(error)}`), code: error.code });
}
