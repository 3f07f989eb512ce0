/**
 * Shared by the hub tests: a hub process (`gcterm hub serve` as a child process, as an installer
 * would run it), enrolled counters (`gcterm hub enrol` + `gcterm enrol`), and signed raw calls.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SANDBOX_APPID, SANDBOX_SECRET } from '../../src-main/sim/index.ts';
import { gcterm } from '../cli/run-gcterm.ts';

const BIN = join(import.meta.dirname, '../../bin/gcterm.js');
const ROOT = join(import.meta.dirname, '../..');

export type HubProcess = Readonly<{ url: string; child: ChildProcess; stop(signal?: NodeJS.Signals): Promise<void>; output(): string }>;

/** Environment of the hub: the WeChat credentials live here, on the hub alone. */
export const hubEnv = (simUrl: string, db: string): Record<string, string> => ({
  GCTERM_DATA_DIR: mkdtempSync(join(tmpdir(), 'gcterm-hubdata-')),
  GCTERM_API_BASE: simUrl,
  GCTERM_APPID: SANDBOX_APPID,
  GCTERM_APPSECRET: SANDBOX_SECRET,
  GCTERM_HUB_DB: db,
  GCTERM_LOG_LEVEL: 'warn',
});

function baseEnv(): Record<string, string> {
  const base: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'TMPDIR']) {
    const value = process.env[key];
    if (value !== undefined) base[key] = value;
  }
  return base;
}

/** Starts `gcterm hub serve --json --port <port>` and resolves with its URL once it listens. */
export function startHubProcess(env: Readonly<Record<string, string>>, port = 0): Promise<HubProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, '--json', 'hub', 'serve', '--port', String(port)], { cwd: ROOT, env: { ...baseEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let started = false;
    const exited = new Promise<void>((done) => child.on('exit', () => done()));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const line = out.split('\n').find((l) => l.startsWith('{"url"'));
      if (line && !started) {
        started = true;
        const { url } = JSON.parse(line) as { url: string };
        resolve({
          url,
          child,
          output: () => out + err,
          async stop(signal = 'SIGTERM') {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            await exited;
          },
        });
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('exit', (code) => {
      if (!started) reject(new Error(`hub exited ${code}: ${out}${err}`));
    });
  });
}

/** Enrols a fresh counter data dir at the hub: the code from the hub's CLI, `gcterm enrol` on the counter. */
export async function enrolCounter(hubUrl: string, db: string, terminalId: string, env: Readonly<Record<string, string>>, store = 'S1'): Promise<string> {
  const issued = await gcterm(['--json', 'hub', 'enrol', terminalId, '--db', db, '--store', store], {});
  if (issued.code !== 0) throw new Error(`hub enrol: ${issued.stdout}${issued.stderr}`);
  const { code } = JSON.parse(issued.stdout) as { code: string };
  const dataDir = mkdtempSync(join(tmpdir(), `gcterm-${terminalId}-`));
  const enrolled = await gcterm(['--json', 'enrol', hubUrl, code], { ...env, GCTERM_DATA_DIR: dataDir });
  if (enrolled.code !== 0) throw new Error(`enrol: ${enrolled.stdout}${enrolled.stderr}`);
  return dataDir;
}

export type RunningGcterm = Readonly<{ child: ChildProcess; done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> }>;

/** `gcterm …` as a child process that the test may kill (a counter PC losing power mid-sale). */
export function spawnGcterm(args: readonly string[], env: Readonly<Record<string, string>>): RunningGcterm {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...baseEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

/** Polls `check` until it answers true (or fails after `timeoutMs`). */
export async function until(check: () => Promise<boolean>, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
