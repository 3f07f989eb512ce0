/**
 * Real gcterm processes for the race and crash tests: started in the background with faults
 * injected at named step boundaries (test/helpers/faulty-gcterm.mjs), paused there on request,
 * released by the test, and awaited.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { until } from './until.ts';

const FAULTY = join(import.meta.dirname, 'faulty-gcterm.mjs');
const ROOT = join(import.meta.dirname, '../..');

export type Exit = Readonly<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;

export type Running = Readonly<{
  child: ChildProcess;
  /** Everything printed so far. */
  output(): string;
  /** Resolves when the process has ended. */
  exited: Promise<Exit>;
}>;

/** Starts `gcterm <args>` in the background (faults from `env`). */
export function startGcterm(args: readonly string[], env: Readonly<Record<string, string>>): Running {
  const child = spawn(process.execPath, [FAULTY, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<Exit>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, output: () => stdout + stderr, exited };
}

/** Runs `gcterm <args>` to its end. */
export const runGcterm = (args: readonly string[], env: Readonly<Record<string, string>>) => startGcterm(args, env).exited;

/** A pause point for one process: env to pass, a wait until it is there, and its release. */
export function pausePoint(dir: string, point: string, name = 'pause'): Readonly<{ env: Record<string, string>; reached(): Promise<void>; release(): void }> {
  const ready = join(dir, `${name}.ready`);
  const go = join(dir, `${name}.go`);
  return {
    env: { GCTERM_PAUSE_AT: point, GCTERM_READY_FILE: ready, GCTERM_PAUSE_FILE: go },
    reached: () => until(() => existsSync(ready), `the process to reach ${point}`, 30_000),
    release: () => writeFileSync(go, 'go'),
  };
}
