import { Command, CommanderError } from 'commander';
import { describeOpenFailure } from '../shared/i18n/journal.ts';
import { pickLanguage } from './cli/i18n.ts';
import { processIO, type RegisterCommand } from './cli/io.ts';
import { registerSimCommand } from './cli/sim.ts';
import { registerHubCommands } from './cli/hub.ts';
import { registerOfflineCommands } from './cli/offline-commands.ts';
import { registerScanCommands } from './cli/scan.ts';
import { registerServeCommand } from './cli/serve.ts';
import { earlyLanguage, isLanguageTag, MORE_MESSAGES, usageMessage } from './cli/messages.ts';
import { registerReceiptCommand } from './cli/receipt.ts';
import { registerShiftCommands } from './cli/shift.ts';
import { registerPeopleCommands } from './cli/people.ts';
import { registerSetupCommand } from './cli/setup.ts';
import { EXIT, registerTerminalCommands } from './cli/terminal-commands.ts';
import { SqliteOpenError } from './sqlite.ts';

/** Every command module, in the order `gcterm --help` lists them. */
const COMMANDS: readonly RegisterCommand[] = [registerTerminalCommands, registerOfflineCommands, registerServeCommand, registerScanCommands, registerHubCommands, registerSimCommand, registerReceiptCommand, registerShiftCommands, registerPeopleCommands, registerSetupCommand];

/** Runs the gcterm command line; resolves to the process exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  const io = processIO();
  const program = new Command('gcterm')
    .description('WeChat gift card counter terminal / 微信礼品卡收银终端')
    .option('--json', 'machine-readable output')
    .option('--lang <language>', 'zh-CN or en (default: the terminal setting, zh-CN)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => process.stdout.write(s),
      writeErr: (s) => process.stderr.write(s),
      // Usage errors are said below in the user's language; commander's own text is English.
      outputError: () => undefined,
    });
  for (const register of COMMANDS) register(program, io);
  // --lang is checked before any command runs: an unknown language is refused, not ignored.
  program.hook('preAction', () => {
    const lang = program.opts<{ lang?: string }>().lang;
    if (lang !== undefined && !isLanguageTag(lang)) {
      io.err((MORE_MESSAGES[earlyLanguage([], process.env)].badLang ?? '').replace(/\{\{lang\}\}/g, lang));
      throw new CommanderError(1, 'gcterm.reported', 'unsupported language');
    }
  });
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      const quiet = ['commander.helpDisplayed', 'commander.version', 'commander.help', 'gcterm.reported'];
      if (error.exitCode !== 0 && !quiet.includes(error.code)) {
        const command = argv.slice(2).find((arg) => !arg.startsWith('-')) ?? '';
        io.err(usageMessage(error, earlyLanguage(argv, process.env), command));
      }
      return error.exitCode;
    }
    // A journal (or simulator database) that cannot be opened: a clear refusal, never a stack trace.
    if (error instanceof SqliteOpenError) {
      io.err(describeOpenFailure(error.reason, { path: error.path, message: error.detail }, pickLanguage(program.opts<{ lang?: string }>().lang, process.env)));
      return EXIT.cannotStart;
    }
    throw error;
  }
  return io.exitCode();
}
