/**
 * The cashier's and manager's commands: lookup, redeem, void, journal, recover. Human-readable
 * in the chosen language by default; `--json` for machines. Exit status: 0 approved/queued/ok,
 * 1 bad input or error, 2 declined, 3 needs review, 4 outcome not known yet, 5 cannot start (the
 * journal cannot be opened: disk full, read-only, not a database; nothing was sent).
 */
import { Option, type Command } from 'commander';
import { maskCode } from '../../shared/codes.ts';
import { REDEMPTION_STATES, type RedemptionState } from '../../shared/contract.ts';
import { formatYuan } from '../../shared/money.ts';
import type { ReasonCode } from '../../shared/reasons.ts';
import { ConfigError } from '../config.ts';
import { JournalTooNewError } from '../journal/db.ts';
import { SqliteOpenError } from '../sqlite.ts';
import { describeJournalFailure, describeStartFailure, describeVerification, isSqliteError } from './journal-messages.ts';
import { verifyChain } from '../journal/events.ts';
import { journalHead } from '../journal/head.ts';
import { headTrailer, toCsv } from '../journal/export.ts';
import { dayRange, listRedemptions, localDate, type RedemptionRow } from '../journal/redemptions.ts';
import { shownCode, toRedemptionView } from '../journal/views.ts';
import type { CardLookup } from '../redemption/engine.ts';
import { cardEndTime } from '../redemption/validate.ts';
import { openTerminal, type Terminal } from '../terminal.ts';
import { redemptionIdsByPrefix } from '../journal/id-prefix.ts';
import { cliManager } from './manager.ts';
import { createTranslator, pickLanguage, type Translator } from './i18n.ts';
import type { CliIO, RegisterCommand } from './io.ts';
import { detailParams } from '../../shared/detail-params.ts';
import { isDay, isInputReason } from './messages.ts';

export const EXIT = { ok: 0, error: 1, declined: 2, review: 3, unknown: 4, cannotStart: 5 } as const;

type GlobalOptions = Readonly<{ json?: boolean; lang?: string }>;

export function exitCodeFor(state: RedemptionState): number {
  switch (state) {
    case 'settled':
    case 'queued':
    case 'voided':
      return EXIT.ok;
    case 'declined':
      return EXIT.declined;
    case 'needs_review':
      return EXIT.review;
    default:
      return EXIT.unknown;
  }
}

/**
 * A redemption for `--json`: the same view the UI and the CSV use (journal/views.ts), except
 * that the codes are given whole (the operator at this PC, and the scripts they run, need them to
 * find the card) and the time is ISO 8601.
 */
export function redemptionJson(row: RedemptionRow): Record<string, unknown> {
  const view = toRedemptionView(row);
  return {
    id: view.id,
    state: view.state,
    code: row.scanned_code,
    codeKind: view.codeKind,
    realCode: row.real_code,
    cardId: view.cardId,
    subCardType: view.subCardType,
    amountFen: view.amountFen,
    balanceBeforeFen: view.balanceBeforeFen,
    balanceAfterFen: view.balanceAfterFen,
    reason: view.reason,
    detail: view.detail,
    offline: view.offline,
    attempts: view.attempts,
    cashier: view.cashier,
    terminalId: view.terminalId,
    createdAt: new Date(view.createdAt).toISOString(),
  };
}

export function describeRedemption(row: RedemptionRow, tr: Translator): string {
  const reason = row.reason ? tr.reason(row.reason, detailParams(row.detail)) : '';
  switch (row.state) {
    case 'settled':
      return row.sub_card_type === 'VOUCHER'
        ? tr.t('approvedVoucher')
        : tr.t('approved', { amount: formatYuan(row.amount_fen), balance: formatYuan(row.balance_after_fen ?? 0) });
    case 'queued':
      return tr.t('queued', { amount: formatYuan(row.amount_fen) });
    case 'declined':
      return tr.t('declined', { reason });
    case 'needs_review':
      return tr.t('review', { reason });
    case 'voided':
      return tr.t('voided', { amount: formatYuan(row.amount_fen), balance: formatYuan(row.balance_before_fen ?? 0) });
    default:
      return tr.t('unknown', { reason: reason || tr.t(`state.${row.state}`) });
  }
}

function formatDay(seconds: number): string {
  return localDate(seconds * 1000);
}

function describeCard(card: CardLookup, tr: Translator): string[] {
  const lines = [
    tr.t('card', { title: card.definition.title, code: maskCode(card.answer.card.code) }),
    tr.t('type', { type: card.subCardType ?? card.definition.subCardType }),
  ];
  if (card.answer.card.balance !== undefined) lines.push(tr.t('balance', { balance: formatYuan(card.answer.card.balance) }));
  lines.push(tr.t('status', { status: card.answer.user_card_status }));
  const end = cardEndTime(card.answer.card.end_time);
  lines.push(end === null ? tr.t('permanent') : tr.t('validity', { from: formatDay(card.answer.card.begin_time), to: formatDay(end) }));
  lines.push(card.problems.length === 0 ? tr.t('canRedeem') : tr.t('cannotRedeem', { reason: card.problems.map((p) => tr.reason(p)).join('; ') }));
  return lines;
}

/** Opens the terminal, runs `fn`, closes it; configuration problems become a clear message. */
export async function withTerminal(io: CliIO, options: GlobalOptions, fn: (terminal: Terminal, tr: Translator) => Promise<void>): Promise<void> {
  let terminal: Terminal;
  try {
    terminal = await openTerminal({ label: `gcterm ${process.argv.slice(2).find((arg) => !arg.startsWith('-')) ?? ''}`.trim() });
  } catch (error) {
    const tr = await createTranslator(pickLanguage(options.lang, process.env));
    if (error instanceof ConfigError || error instanceof JournalTooNewError) {
      io.err(tr.t('error', { message: error.message }));
      io.setExitCode(EXIT.error);
      return;
    }
    if (error instanceof SqliteOpenError) {
      io.err(describeStartFailure(error, tr));
      io.setExitCode(EXIT.cannotStart);
      return;
    }
    throw error;
  }
  const tr = await createTranslator(pickLanguage(options.lang, process.env, terminal.config.settings.language));
  try {
    await fn(terminal, tr);
  } catch (error) {
    // The journal failed under a command: whatever was sent cannot be ruled out (recover resolves it).
    if (!isSqliteError(error)) throw error;
    io.err(describeJournalFailure(error, tr));
    io.setExitCode(EXIT.unknown);
  } finally {
    await terminal.close();
  }
}

/**
 * A refusal: bad input (the code, the amount, the request) exits 1 and says so; only a card or
 * WeChat refusal exits 2 and reads "declined".
 */
export function refuse(io: CliIO, tr: Translator, json: boolean | undefined, reason: ReasonCode, exitCode: number = EXIT.error): void {
  const code = isInputReason(reason) ? EXIT.error : exitCode;
  if (json) io.out(JSON.stringify({ error: reason, message: tr.reason(reason) }));
  else io.err(tr.t(code === EXIT.declined ? 'declined' : isInputReason(reason) ? 'invalidInput' : 'error', { reason: tr.reason(reason), message: tr.reason(reason) }));
  io.setExitCode(code);
}

export const globals = (command: Command): GlobalOptions => command.optsWithGlobals<GlobalOptions>();

export const registerTerminalCommands: RegisterCommand = (program, io) => {
  program
    .command('lookup')
    .description('look a card up: balance, status, validity / 查询卡券余额与状态')
    .argument('<code>', 'the scanned code')
    .action(async (code: string, _options: unknown, command: Command) => {
      const options = globals(command);
      await withTerminal(io, options, async (terminal, tr) => {
        const result = await terminal.engine.lookup(code);
        if (!result.ok) return refuse(io, tr, options.json, result.error.reason, EXIT.declined);
        const card = result.value;
        if (options.json) {
          io.out(
            JSON.stringify({
              code: card.scannedCode,
              codeKind: card.codeKind,
              realCode: card.answer.card.code,
              cardId: card.answer.card.card_id,
              title: card.definition.title,
              subCardType: card.subCardType,
              balanceFen: card.answer.card.balance ?? null,
              userCardStatus: card.answer.user_card_status,
              canConsume: card.answer.can_consume,
              beginTime: card.answer.card.begin_time,
              endTime: card.answer.card.end_time,
              problems: card.problems,
            }),
          );
        } else {
          for (const line of describeCard(card, tr)) io.out(line);
        }
        io.setExitCode(card.problems.length === 0 ? EXIT.ok : EXIT.declined);
      });
    });

  program
    .command('redeem')
    .description('deduct an amount from a card / 礼品卡扣款')
    .argument('<code>', 'the scanned code')
    .argument('<amount>', 'yuan, at most two decimals: 35, 35.5, 35.50')
    .action(async (code: string, amount: string, _options: unknown, command: Command) => {
      const options = globals(command);
      await withTerminal(io, options, async (terminal, tr) => {
        const cashier = process.env.GCTERM_CASHIER ?? terminal.config.settings.cashier;
        const result = await terminal.engine.redeem({ code, amount, cashier });
        if (!result.ok) return refuse(io, tr, options.json, result.error.reason);
        const row = result.value;
        if (options.json) io.out(JSON.stringify({ ...redemptionJson(row), message: describeRedemption(row, tr) }));
        else {
          io.out(describeRedemption(row, tr));
          io.out(`  ${tr.t('id', { id: row.id })}`);
        }
        io.setExitCode(exitCodeFor(row.state));
      });
    });

  program
    .command('void')
    .description("reverse one of today's approved redemptions (manager) / 撤销当天交易（需店长）")
    .argument('<id>', 'the redemption id, or any unique prefix of it (as `gcterm journal` prints)')
    .option('--manager-pin <pin>', "the manager's PIN, for scripts (asked for on a terminal otherwise)")
    .action(async (id: string, local: { managerPin?: string }, command: Command) => {
      const options = globals(command);
      await withTerminal(io, options, async (terminal, tr) => {
        const matches = redemptionIdsByPrefix(terminal.db, id.trim());
        if (matches.length === 0) return refuse(io, tr, options.json, 'not_found');
        if (matches.length > 1) {
          // An ambiguous prefix names the candidates: nothing is voided.
          if (options.json) io.out(JSON.stringify({ error: 'ambiguous_id', candidates: matches }));
          else {
            io.err(tr.language === 'en' ? `"${id}" matches ${matches.length} redemptions; give more of the id:` : `"${id}" 对应 ${matches.length} 笔交易，请输入更长的编号：`);
            for (const candidate of matches) io.err(`  ${candidate}`);
          }
          io.setExitCode(EXIT.error);
          return;
        }
        const manager = await cliManager(terminal, local.managerPin, 'void', tr.language);
        if (!manager.ok) return refuse(io, tr, options.json, manager.error.reason, EXIT.error);
        const result = await terminal.engine.void(matches[0] ?? id, manager.value.name);
        if (!result.ok) return refuse(io, tr, options.json, result.error.reason, result.error.reason === 'not_found' ? EXIT.error : EXIT.declined);
        const row = result.value;
        if (options.json) io.out(JSON.stringify({ ...redemptionJson(row), message: describeRedemption(row, tr) }));
        else io.out(describeRedemption(row, tr));
        io.setExitCode(row.state === 'voided' ? EXIT.ok : exitCodeFor(row.state));
      });
    });

  program
    .command('journal')
    .description('list redemptions, or `journal verify` the tamper-evident chain / 交易日志')
    .argument('[action]', '"verify" to check the chain')
    .option('--date <YYYY-MM-DD>', 'the day to list (default: today)')
    .option('--from <YYYY-MM-DD>', 'first day of a range (with --to; default: the --to day)')
    .option('--to <YYYY-MM-DD>', 'last day of a range, included (default: today)')
    .addOption(new Option('--state <state>', 'only this state').choices(REDEMPTION_STATES as unknown as string[]))
    .option('--all', 'every day')
    .option('--csv', 'CSV for a spreadsheet')
    .action(async (action: string | undefined, local: { date?: string; from?: string; to?: string; state?: RedemptionState; all?: boolean; csv?: boolean }, command: Command) => {
      const options = globals(command);
      await withTerminal(io, options, async (terminal, tr) => {
        if (action === 'verify') {
          const result = verifyChain(terminal.db);
          if (options.json) io.out(JSON.stringify(result));
          else for (const line of describeVerification(result, tr)) io.out(line);
          io.setExitCode(result.ok ? EXIT.ok : EXIT.error);
          return;
        }
        if (action !== undefined) return refuse(io, tr, options.json, 'invalid_request');
        // A day that does not exist (2024-02-30, 2026-13-45) would silently list another one.
        for (const day of [local.date, local.from, local.to]) {
          if (day !== undefined && !isDay(day)) {
            if (options.json) io.out(JSON.stringify({ error: 'invalid_request', message: tr.t('badDate', { date: day }) }));
            else io.err(tr.t('badDate', { date: day }));
            io.setExitCode(EXIT.error);
            return;
          }
        }
        const ranged = local.from !== undefined || local.to !== undefined;
        const last = local.to ?? localDate(Date.now());
        const first = local.from ?? last;
        if (ranged && first > last) {
          io.err(tr.t('badRange', { from: first, to: last }));
          io.setExitCode(EXIT.error);
          return;
        }
        const range = local.all ? {} : ranged ? { fromMs: dayRange(first).fromMs, toMs: dayRange(last).toMs } : dayRange(local.date ?? localDate(Date.now()));
        // Queued items are listed whatever their day: they are still open.
        const rows = listRedemptions(terminal.db, local.state === 'queued' ? { state: 'queued' } : { ...range, state: local.state });
        if (local.csv) {
          io.out(toCsv(rows, { language: tr.language }).trimEnd());
          // The chain head when exported, beside the rows (stderr: a redirected file stays plain CSV).
          io.err(headTrailer(journalHead(terminal.db)));
        }
        else if (options.json) io.out(JSON.stringify(rows.map(redemptionJson)));
        else if (rows.length === 0) io.out(tr.t('noRows'));
        else
          for (const row of rows) {
            const time = new Date(row.created_at).toTimeString().slice(0, 8);
            io.out(`${time}  ${row.id.slice(0, 8)}  ${shownCode(toRedemptionView(row))}  ${formatYuan(row.amount_fen).padStart(10)}  ${tr.t(`state.${row.state}`)}${row.reason ? ` (${tr.reason(row.reason)})` : ''}`);
          }
      });
    });

  program
    .command('recover')
    .description('bring interrupted redemptions to a final state / 恢复未完成交易')
    .action(async (_options: unknown, command: Command) => {
      const options = globals(command);
      await withTerminal(io, options, async (terminal, tr) => {
        const skipped: Array<Readonly<{ id: string; state: string; holder: string }>> = [];
        const rows = await terminal.engine.recover({ onSkip: (row) => skipped.push(row) });
        if (options.json) io.out(JSON.stringify(rows.map(redemptionJson)));
        else {
          io.out(tr.t('recovered', { count: rows.length }));
          for (const row of rows) io.out(`  ${row.id}  ${describeRedemption(row, tr)}`);
          for (const row of skipped) io.out(tr.t('leftToOwner', { id: row.id, holder: row.holder }));
        }
        if (rows.some((row) => !['settled', 'declined', 'needs_review', 'voided'].includes(row.state))) io.setExitCode(EXIT.unknown);
      });
    });
};
