/**
 * The question asked before the app quits while redemptions are still queued offline. They are
 * safe in the journal and are sent at the next start, but only while the app runs: a manager
 * should know before closing the till for the night. Plain data, no electron import (tested).
 */
import { formatYuan } from '../../shared/money.ts';

export type QuitWarning = Readonly<{
  type: 'warning';
  buttons: readonly string[];
  defaultId: number;
  cancelId: number;
  title: string;
  message: string;
  detail: string;
}>;

/** Button index that confirms quitting. */
export const QUIT_ANYWAY = 1;

/** null when nothing is queued: quit without asking. */
export function quitWarning(queue: Readonly<{ depth: number; queuedFen: number }>): QuitWarning | null {
  if (queue.depth === 0) return null;
  const amount = formatYuan(queue.queuedFen);
  return {
    type: 'warning',
    buttons: ['继续运行 Keep running', '仍然退出 Quit anyway'],
    defaultId: 0,
    cancelId: 0,
    title: '离线交易待上传 / Offline redemptions queued',
    message: `还有 ${queue.depth} 笔离线交易（${amount}）未上传。\n${queue.depth} offline redemption(s) (${amount}) not sent yet.`,
    detail:
      '它们已安全保存在本机，但只有在收银程序运行且联网时才会上传。建议保持运行直到上传完成。\n' +
      'They are safely stored on this PC, but are only sent while the app runs with a network. Keep it running until they are sent.',
  };
}
