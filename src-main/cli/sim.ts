/**
 * `gcterm sim`: runs the WeChat card API simulator in the foreground until SIGINT/SIGTERM, for
 * demos, cashier training and integration work against a sandbox instead of production WeChat.
 */
import { join } from 'node:path';
import { formatYuan } from '../../shared/money.ts';
import { defaultDataDir } from '../config.ts';
import { DEMO, DEMO_CARD_IDS, SANDBOX_APPID, SANDBOX_SECRET, startSimulator, type RunningSimulator } from '../sim/index.ts';
import type { Command } from 'commander';
import type { Language } from '../../shared/i18n/reasons.ts';
import { pickLanguage } from './i18n.ts';
import { untilSignal, type CliIO, type RegisterCommand } from './io.ts';
import { say } from './messages.ts';

/** A fixed default, so a terminal configured against the sandbox finds it again after a restart. */
export const DEFAULT_SIM_PORT = 8788;

type SimCommandOptions = Readonly<{ port: string; memory?: boolean; db?: string; appid?: string; secret?: string }>;

function parsePort(text: string): number | null {
  if (!/^\d{1,5}$/.test(text)) return null;
  const port = Number.parseInt(text, 10);
  return port <= 65_535 ? port : null;
}

/** The sandbox secret is public; one given on the command line is shown masked (invariant 7). */
const showSecret = (secret: string, language: Language) =>
  secret === SANDBOX_SECRET ? `${secret} (${say(language, 'sandboxCredential')})` : `${secret.slice(0, 4)}… (${say(language, 'hidden')})`;

type CodeState = Readonly<{ balanceFen: number; userCardStatus: string }>;

/** Current state through the admin API: a sandbox used before shows what was written since. */
async function demoCodeState(url: string, code: string): Promise<CodeState | null> {
  try {
    const response = await fetch(`${url}/sim/codes/${code}`);
    return response.ok ? ((await response.json()) as CodeState) : null;
  } catch {
    // The listing is a convenience: the simulator keeps running without it.
    return null;
  }
}

async function printBanner(io: CliIO, sim: RunningSimulator, database: string, language: Language): Promise<void> {
  io.out(say(language, 'simTitle'));
  io.out(`  URL:       ${sim.url}`);
  io.out(say(language, 'simDatabase', { database }));
  io.out(`  appid:     ${sim.appid}`);
  io.out(say(language, 'simSecret', { secret: showSecret(sim.secret, language) }));
  io.out(say(language, 'simCodes'));
  for (const entry of Object.values(DEMO)) {
    const state = await demoCodeState(sim.url, entry.code);
    if (!state) continue;
    const balance = entry.cardId === DEMO_CARD_IDS.voucher ? say(language, 'simNoBalance') : formatYuan(state.balanceFen);
    io.out(`    ${entry.code}  ${balance.padStart(10)}  ${state.userCardStatus.padEnd(9)}  ${entry.label}`);
  }
  io.out(say(language, 'simAdmin', { url: sim.url }));
  io.out(say(language, 'simStop'));
}


async function runSim(io: CliIO, options: SimCommandOptions, language: Language): Promise<void> {
  const port = parsePort(options.port);
  // Bad input exits 1, as for every command.
  if (port === null) {
    io.err(say(language, 'simPort', { port: options.port }));
    io.setExitCode(1);
    return;
  }
  if (options.memory && options.db !== undefined) {
    io.err(say(language, 'simExclusive'));
    io.setExitCode(1);
    return;
  }
  const dbPath = options.memory ? undefined : (options.db ?? join(defaultDataDir(), 'sim.db'));
  let sim: RunningSimulator;
  try {
    sim = await startSimulator({ port, dbPath, appid: options.appid ?? SANDBOX_APPID, secret: options.secret ?? SANDBOX_SECRET });
  } catch (error) {
    io.err(say(language, 'simFailed', { message: error instanceof Error ? error.message : String(error) }));
    io.setExitCode(1);
    return;
  }
  const stopped = untilSignal();
  await printBanner(io, sim, dbPath ?? say(language, 'simInMemory'), language);
  const signal = await stopped;
  io.out(say(language, 'simStopping', { signal }));
  await sim.close();
  io.out(say(language, 'simStopped'));
}

export const registerSimCommand: RegisterCommand = (program, io) => {
  program
    .command('sim')
    .description('run the WeChat card API simulator (SANDBOX) / 运行微信卡券接口模拟器')
    .option('--port <n>', 'port on 127.0.0.1; 0 picks a free one', String(DEFAULT_SIM_PORT))
    .option('--memory', 'keep the sandbox state in memory only')
    .option('--db <path>', 'SQLite file of the sandbox state (default: sim.db in $GCTERM_DATA_DIR or ~/.gcterm)')
    .option('--appid <id>', 'appid the sandbox accepts', SANDBOX_APPID)
    .option('--secret <secret>', 'AppSecret the sandbox accepts')
    .action(async (options: SimCommandOptions, command: Command) => {
      await runSim(io, options, pickLanguage(command.optsWithGlobals<{ lang?: string }>().lang, process.env));
    });
};
