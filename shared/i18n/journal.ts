/**
 * What `journal verify` finds and why a journal cannot be opened, as structured values (a kind and
 * its parameters) and their zh-CN / English texts, shared by the CLI, the Electron shell and the
 * UI. Plain data and a tiny `{{slot}}` filler: no i18next needed to print them.
 */
import type { Language } from './reasons.ts';

export type JournalProblem =
  /** Events `from`..`to` are absent from the chain (deleted from its middle). */
  | Readonly<{ kind: 'events_missing'; from: number; to: number }>
  /** The journal ends before the head recorded outside it: its tail is gone. */
  | Readonly<{ kind: 'tail_missing'; from: number; to: number; headSeq: number; headHash: string }>
  /** The event at the head's seq is not the one the head recorded: history rewritten. */
  | Readonly<{ kind: 'head_mismatch'; seq: number; headHash: string; hash: string }>
  | Readonly<{ kind: 'head_file_missing'; seq: number }>
  | Readonly<{ kind: 'head_file_unreadable'; message: string }>
  | Readonly<{ kind: 'link_broken'; seq: number }>
  | Readonly<{ kind: 'event_altered'; seq: number; eventKind: string }>
  | Readonly<{ kind: 'row_altered'; id: string; seq: number }>
  | Readonly<{ kind: 'row_without_events'; id: string }>
  /** State events name a redemption whose row is gone. */
  | Readonly<{ kind: 'row_deleted'; id: string; seq: number; state: string }>
  | Readonly<{ kind: 'events_without_row'; id: string; seq: number }>
  /** SQLite's own `PRAGMA quick_check` (or reading the file) found damage. */
  | Readonly<{ kind: 'database_damaged'; message: string }>;

export type JournalProblemKind = JournalProblem['kind'];

/** Why the journal (or the simulator's database) cannot be opened; nothing was sent. */
export type OpenFailureReason = 'disk_full' | 'read_only' | 'corrupt' | 'not_a_directory' | 'busy' | 'too_new' | 'io';

export const JOURNAL_PROBLEM_MESSAGES: Readonly<Record<Language, Readonly<Record<JournalProblemKind, string>>>> = {
  'zh-CN': {
    events_missing: '第 {{from}}–{{to}} 条记录缺失',
    tail_missing: '第 {{from}}–{{to}} 条记录缺失（链头文件记录到第 {{headSeq}} 条，哈希 {{headHash}}）',
    head_mismatch: '第 {{seq}} 条记录与链头文件不符（链头哈希 {{headHash}}，日志中为 {{hash}}）：日志被改写',
    head_file_missing: '链头文件缺失（日志有 {{seq}} 条记录）：无法确认末尾记录是否被删除',
    head_file_unreadable: '链头文件无法读取（{{message}}）',
    link_broken: '第 {{seq}} 条记录与上一条的链接断开',
    event_altered: '第 {{seq}} 条记录（{{eventKind}}）被改动',
    row_altered: '交易 {{id}} 在日志之外被改动',
    row_without_events: '交易 {{id}} 没有日志记录',
    row_deleted: '交易 {{id}} 已被删除（其日志记录仍在，最后状态 {{state}}，第 {{seq}} 条）',
    events_without_row: '日志第 {{seq}} 条起的记录属于交易 {{id}}，但该交易不存在',
    database_damaged: '数据库文件损坏：{{message}}',
  },
  en: {
    events_missing: 'events {{from}}..{{to}} are missing',
    tail_missing: 'events {{from}}..{{to}} missing (head file says seq {{headSeq}}, hash {{headHash}})',
    head_mismatch: 'event {{seq}} does not match the head file (head hash {{headHash}}, journal has {{hash}}): history was rewritten',
    head_file_missing: 'the head file is missing ({{seq}} events in the journal): a deleted tail cannot be ruled out',
    head_file_unreadable: 'the head file cannot be read ({{message}})',
    link_broken: 'event {{seq}}: link to the previous event broken',
    event_altered: 'event {{seq}} ({{eventKind}}) was altered',
    row_altered: 'redemption {{id}} was altered outside the journal',
    row_without_events: 'redemption {{id}} has no journal events',
    row_deleted: 'redemption {{id}} was deleted (its events remain, last state {{state}} at event {{seq}})',
    events_without_row: 'events from {{seq}} belong to redemption {{id}}, which does not exist',
    database_damaged: 'the database file is damaged: {{message}}',
  },
};

export const OPEN_FAILURE_MESSAGES: Readonly<Record<Language, Readonly<Record<OpenFailureReason, string>>>> = {
  'zh-CN': {
    disk_full: '磁盘已满，无法写入交易日志 {{path}}。请清理磁盘空间后再启动。未进行任何扣款。',
    read_only: '交易日志 {{path}} 所在位置只读或无写入权限。请检查数据目录的权限或磁盘后再启动。未进行任何扣款。',
    corrupt: '{{path}} 不是有效的交易日志数据库或已损坏。请从备份恢复或联系技术支持，不要删除此文件。未进行任何扣款。',
    not_a_directory: '无法创建数据目录 {{path}}：路径中有一个同名文件。请检查 GCTERM_DATA_DIR。未进行任何扣款。',
    busy: '交易日志 {{path}} 被另一个程序长时间锁定。请关闭其他收银程序后再试。未进行任何扣款。',
    too_new: '交易日志 {{path}} 来自更新版本的收银程序：请升级本程序。未进行任何扣款。',
    io: '无法读写交易日志 {{path}}（{{message}}）。请检查磁盘。未进行任何扣款。',
  },
  en: {
    disk_full: 'The disk is full: the journal {{path}} cannot be written. Free some space, then start again. No money was moved.',
    read_only: 'The journal {{path}} is on a read-only disk or in a directory this user cannot write. Check the data directory, then start again. No money was moved.',
    corrupt: '{{path}} is not a journal database or is damaged. Restore it from a backup or call support; do not delete it. No money was moved.',
    not_a_directory: 'Cannot create the data directory {{path}}: a file is in the way. Check GCTERM_DATA_DIR. No money was moved.',
    busy: 'The journal {{path}} is held locked by another program. Close the other terminal program, then try again. No money was moved.',
    too_new: 'The journal {{path}} was written by a newer version of this terminal: update the app. No money was moved.',
    io: 'The journal {{path}} cannot be read or written ({{message}}). Check the disk. No money was moved.',
  },
};

const fill = (template: string, params: Readonly<Record<string, unknown>>): string =>
  template.replace(/\{\{(\w+)\}\}/g, (_, key: string) => String(params[key] ?? ''));

/** One problem as a sentence. Hashes are shortened to 16 hex digits for people. */
export function describeJournalProblem(problem: JournalProblem, language: Language): string {
  const params: Record<string, unknown> = { ...problem };
  for (const key of ['headHash', 'hash'] as const) {
    if (typeof params[key] === 'string') params[key] = (params[key] as string).slice(0, 16);
  }
  return fill(JOURNAL_PROBLEM_MESSAGES[language][problem.kind], params);
}

export function describeOpenFailure(reason: OpenFailureReason, params: Readonly<{ path: string; message?: string }>, language: Language): string {
  return fill(OPEN_FAILURE_MESSAGES[language][reason], params);
}

/** Every problem of a verification as one line for a status area, or '' when there is none. */
export function describeVerificationProblems(verification: Readonly<{ problems?: readonly JournalProblem[]; brokenAt?: Readonly<{ problem: string }> }>, language: Language): string {
  const problems = verification.problems ?? [];
  if (problems.length === 0) return verification.brokenAt?.problem ?? '';
  return problems.map((problem) => describeJournalProblem(problem, language)).join(language === 'en' ? '; ' : '；');
}
