/** `gcterm replay` (forward the offline queue now) and `gcterm status` (connectivity and queue). */
import type { Command } from 'commander';
import { formatYuan } from '../../shared/money.ts';
import { queueStatus } from '../journal/queue.ts';
import { replayQueue } from '../redemption/offline.ts';
import { TokenError, WeChatError } from '../wechat/errors.ts';
import type { RegisterCommand } from './io.ts';
import { EXIT, globals, withTerminal } from './terminal-commands.ts';

function age(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${minutes % 60} min`;
}

export const registerOfflineCommands: RegisterCommand = (program, io) => {
  program
    .command('replay')
    .description('send the offline queue now / 立即上传离线交易')
    .action(async (_options: unknown, command: Command) => {
      const options = globals(command);
      await withTerminal(io, options, async (terminal, tr) => {
        const report = await replayQueue(terminal.engine, terminal.connectivity, { backoffMs: () => 1_000 });
        if (options.json) io.out(JSON.stringify(report));
        else {
          io.out(tr.t('replayDone', { settled: report.settled, review: report.needsReview, remaining: report.remaining }));
          if (report.stoppedBy) io.out(tr.t('replayStopped'));
        }
        if (report.stoppedBy) io.setExitCode(EXIT.unknown);
        else if (report.needsReview > 0) io.setExitCode(EXIT.review);
      });
    });

  program
    .command('status')
    .description('connectivity, offline queue and exposure / 网络与离线队列状态')
    .action(async (_options: unknown, command: Command) => {
      const options = globals(command);
      await withTerminal(io, options, async (terminal, tr) => {
        // A cheap probe: any answer from WeChat (even "invalid code") means it is reachable.
        let online = true;
        try {
          await terminal.client.getCode({ code: '000000000000' });
        } catch (error) {
          online = !(error instanceof WeChatError && error.apiUnavailable) && !(error instanceof TokenError);
        }
        const queue = queueStatus(terminal.db);
        const status = {
          online,
          sandbox: terminal.config.sandbox,
          apiBase: terminal.apiBase,
          terminalId: terminal.config.settings.terminalId,
          queueDepth: queue.depth,
          queuedFen: queue.queuedFen,
          oldestQueuedAt: queue.oldestQueuedAt === null ? null : new Date(queue.oldestQueuedAt).toISOString(),
        };
        if (options.json) io.out(JSON.stringify(status));
        else
          io.out(
            tr.t('statusLine', {
              mode: tr.t(online ? 'online' : 'offline'),
              api: terminal.config.sandbox ? 'SANDBOX' : terminal.apiBase,
              depth: queue.depth,
              amount: formatYuan(queue.queuedFen),
              oldest: queue.oldestQueuedAt === null ? '' : tr.t('oldest', { age: age(Date.now() - queue.oldestQueuedAt) }),
            }),
          );
        if (!online) io.setExitCode(EXIT.unknown);
      });
    });
};
