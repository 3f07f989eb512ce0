import { Command, CommanderError } from 'commander';
import { processIO, type RegisterCommand } from './cli/io.ts';
import { registerSimCommand } from './cli/sim.ts';
import { registerHubCommands } from './cli/hub.ts';
import { registerOfflineCommands } from './cli/offline-commands.ts';
import { registerScanCommands } from './cli/scan.ts';
import { registerServeCommand } from './cli/serve.ts';
import { registerTerminalCommands } from './cli/terminal-commands.ts';

/** Every command module, in the order `gcterm --help` lists them. */
const COMMANDS: readonly RegisterCommand[] = [registerTerminalCommands, registerOfflineCommands, registerServeCommand, registerScanCommands, registerHubCommands, registerSimCommand];

/** Runs the gcterm command line; resolves to the process exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  const io = processIO();
  const program = new Command('gcterm')
    .description('WeChat gift card counter terminal / 微信礼品卡收银终端')
    .option('--json', 'machine-readable output')
    .option('--lang <language>', 'zh-CN or en (default: the terminal setting, zh-CN)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });
  for (const register of COMMANDS) register(program, io);
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    throw error;
  }
  return io.exitCode();
}
