/**
 * `gcterm serve [--port N] [--open]`: browser mode. Opens the core on the data directory, builds
 * the renderer if it has not been built, serves it on 127.0.0.1 with the contract behind a
 * per-launch secret, and prints the address to open (the secret is in its #fragment).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { defaultDataDir } from '../config.ts';
import { openCore } from '../core.ts';
import { startHardwareScanners } from '../shell/hardware-scanners.ts';
import { startBrowserServer, type BrowserServer } from '../server/index.ts';
import { untilSignal, type CliIO, type RegisterCommand } from './io.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const RENDERER_DIR = join(REPO_ROOT, 'dist', 'renderer');

type ServeOptions = Readonly<{ port: string; open?: boolean }>;

/** Builds the renderer with vite's API (a development dependency, so imported only when needed). */
export async function buildRenderer(outDir: string = RENDERER_DIR): Promise<void> {
  const { build } = await import('vite');
  await build({ configFile: join(REPO_ROOT, 'vite.config.ts'), logLevel: 'warn', build: { outDir } });
}

/** The platform's "open this URL" command; failures only cost the convenience. */
export function openInBrowser(url: string, io: CliIO): void {
  const [command, args]: readonly [string, readonly string[]] =
    process.platform === 'win32'
      ? ['rundll32', ['url.dll,FileProtocolHandler', url]]
      : process.platform === 'darwin'
        ? ['open', [url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(command, args, { detached: true, stdio: 'ignore' });
    child.on('error', () => io.err('Could not open a browser: open the address above by hand. / 无法自动打开浏览器，请手动打开上面的地址。'));
    child.unref();
  } catch {
    io.err('Could not open a browser: open the address above by hand. / 无法自动打开浏览器，请手动打开上面的地址。');
  }
}


export const registerServeCommand: RegisterCommand = (program: Command, io: CliIO) => {
  program
    .command('serve')
    .description('browser mode: the counter UI on http://127.0.0.1 / 浏览器模式：在本机浏览器中使用收银界面')
    .option('--port <n>', 'port on 127.0.0.1 (0: any free port)', '0')
    .option('--open', 'open the default browser at the address')
    .action(async (options: ServeOptions) => {
      if (!/^\d{1,5}$/.test(options.port) || Number(options.port) > 65_535) {
        io.err(`--port: expected 0–65535, got "${options.port}"`);
        io.setExitCode(2);
        return;
      }
      const dataDir = defaultDataDir(process.env);
      // The journal first: one that cannot be opened is refused (exit 5) before a long first build.
      const core = await openCore({ dataDir, env: process.env, label: 'browser-mode server' });
      if (!existsSync(join(RENDERER_DIR, 'index.html'))) {
        io.out('Building the counter UI (first run)… / 正在构建界面（首次运行）…');
        await buildRenderer().catch(async (error: unknown) => {
          await core.close();
          throw error;
        });
      }
      const scanners = startHardwareScanners(core);
      let server: BrowserServer;
      try {
        server = await startBrowserServer(core, { port: Number(options.port), staticDir: RENDERER_DIR, events: scanners.onEvent });
      } catch (error) {
        await scanners.stop();
        await core.close();
        io.err(`Cannot listen on 127.0.0.1:${options.port}: ${(error as Error).message}`);
        io.setExitCode(1);
        return;
      }
      const status = await core['status:get']({});
      const mode = status.ok && status.value.sandbox ? 'SANDBOX / 沙箱' : 'LIVE / 正式';
      io.out(`gcterm browser mode — ${mode}`);
      io.out(`  data:  ${dataDir}`);
      // The embedded WeChat simulator of the sandbox: its admin API mints dynamic codes, sets faults.
      if (core.terminal.sim) io.out(`  simulator / 模拟器:  ${core.terminal.sim.url}  (admin: ${core.terminal.sim.url}/sim/)`);
      io.out(`  Open this address (it holds this launch's access key) / 请打开此地址（含本次访问密钥）:`);
      io.out(`  ${server.url}`);
      io.out('Press Ctrl+C to stop. / 按 Ctrl+C 停止。');
      if (options.open) openInBrowser(server.url, io);
      await untilSignal();
      if (core.queuedCount() > 0) io.out(`${core.queuedCount()} redemption(s) still queued: they are sent on the next start.`);
      await server.close();
      await scanners.stop();
      await core.close();
    });
};
