#!/usr/bin/env node
// `npm start`: the Electron app when its runtime is installed, otherwise browser mode
// (`gcterm serve --open`), so `npm install && npm start` always gives a working counter.
//
// better-sqlite3 is a native module built for one ABI. Node (CLI, tests, browser mode) and
// Electron need different builds, so this script keeps both in node_modules/.gcterm-native/ and
// swaps the Electron build in only while the Electron app runs, then puts Node's back.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const say = (line) => process.stdout.write(`${line}\n`);

/** The Electron executable, or null when the optional runtime did not install (no download). */
function electronBinary() {
  try {
    const path = require('electron');
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

const sqliteBinary = join(root, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
const nativeCache = join(root, 'node_modules', '.gcterm-native');

/** Puts an Electron build of better-sqlite3 in place, building it once per Electron version. */
function useElectronSqlite(electronVersion) {
  const nodeCopy = join(nativeCache, `node-${process.versions.modules}`, 'better_sqlite3.node');
  const electronCopy = join(nativeCache, `electron-${electronVersion}`, 'better_sqlite3.node');
  mkdirSync(join(nativeCache, `node-${process.versions.modules}`), { recursive: true });
  if (!existsSync(nodeCopy)) copyFileSync(sqliteBinary, nodeCopy);
  if (!existsSync(electronCopy)) {
    say(`Rebuilding better-sqlite3 for Electron ${electronVersion} (once)…`);
    // Only better-sqlite3 needs it: serialport and node-hid are N-API modules, whose one build
    // loads in Node and Electron alike. (electron-builder install-app-deps would rebuild all.)
    const rebuilt = spawnSync(
      join(root, 'node_modules', '.bin', 'electron-rebuild'),
      ['--version', electronVersion, '--only', 'better-sqlite3', '--force', '--module-dir', root],
      { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' },
    );
    if (rebuilt.status !== 0) {
      copyFileSync(nodeCopy, sqliteBinary);
      return false;
    }
    mkdirSync(join(nativeCache, `electron-${electronVersion}`), { recursive: true });
    copyFileSync(sqliteBinary, electronCopy);
  } else {
    copyFileSync(electronCopy, sqliteBinary);
  }
  return () => copyFileSync(nodeCopy, sqliteBinary);
}

async function browserMode() {
  const { Command } = await import('commander');
  const { processIO } = await import('../src-main/cli/io.ts');
  const { registerServeCommand } = await import('../src-main/cli/serve.ts');
  const io = processIO();
  const program = new Command('gcterm').exitOverride();
  registerServeCommand(program, io);
  await program.parseAsync(['node', 'gcterm', 'serve', '--open', ...process.argv.slice(2)]);
  return io.exitCode();
}

async function electronApp(binary) {
  const electronVersion = require('electron/package.json').version;
  const { buildRenderer, RENDERER_DIR } = await import('../src-main/cli/serve.ts');
  if (!existsSync(join(RENDERER_DIR, 'index.html'))) {
    say('Building the counter UI… / 正在构建界面…');
    await buildRenderer();
  }
  const { bundleElectron } = await import('../src-main/electron/bundle.ts');
  await bundleElectron(root);
  const restore = useElectronSqlite(electronVersion);
  if (!restore) {
    say('Could not rebuild better-sqlite3 for Electron (it needs the Electron headers from the internet).');
    say('Starting browser mode instead. / 改用浏览器模式。');
    return browserMode();
  }
  const child = spawn(binary, [root, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
  const code = await new Promise((resolve) => child.on('close', (status) => resolve(status ?? 1)));
  restore();
  return code;
}

const binary = electronBinary();
if (binary) {
  process.exitCode = await electronApp(binary);
} else {
  say('The Electron runtime is not installed (it is an optional download), so the counter opens in your browser instead.');
  say('未安装 Electron 运行时，改为在浏览器中打开收银界面。 To get the desktop app: install with internet access, then `npm start`.');
  process.exitCode = await browserMode();
}
