/** `gcterm sim` as a user runs it: a real child process through bin/gcterm.js. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO, SANDBOX_APPID, SANDBOX_SECRET } from '../../src-main/sim/index.ts';

const ROOT = resolve(import.meta.dirname, '../..');

type Run = Readonly<{ child: ChildProcessWithoutNullStreams; stdout(): string; stderr(): string; exited: Promise<number | null> }>;
const running: ChildProcessWithoutNullStreams[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function gcterm(args: readonly string[], env: Readonly<Record<string, string>> = {}): Run {
  const child = spawn(process.execPath, ['bin/gcterm.js', ...args], { cwd: ROOT, env: { ...process.env, ...env } });
  running.push(child);
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Waits until the banner is complete and returns the URL it printed. */
async function printedUrl(run: Run): Promise<string> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const match = /URL:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(run.stdout());
    if (match?.[1] && /按 Ctrl\+C 停止|Press Ctrl\+C/.test(run.stdout())) return match[1];
    if (run.child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no URL printed; stdout: ${run.stdout()} stderr: ${run.stderr()}`);
}

describe('gcterm sim', () => {
  it('--port 0 --memory: prints URL, credentials and demo balances, serves the API, stops on SIGINT', async () => {
    const run = gcterm(['sim', '--port', '0', '--memory']);
    const url = await printedUrl(run);
    const out = run.stdout();
    expect(out).toContain('SANDBOX');
    expect(out).toContain(SANDBOX_APPID);
    expect(out).toContain(SANDBOX_SECRET);
    expect(out).toMatch(new RegExp(`${DEMO.giftCard500.code}\\s+¥500\\.00`));
    expect(out).toMatch(new RegExp(`${DEMO.giftCard8888.code}\\s+¥88\\.88`));

    const tokenReply = await fetch(`${url}/cgi-bin/stable_token`, {
      method: 'POST',
      body: JSON.stringify({ grant_type: 'client_credential', appid: SANDBOX_APPID, secret: SANDBOX_SECRET }),
    });
    const { access_token: token } = (await tokenReply.json()) as { access_token: string };
    const lookup = await fetch(`${url}/card/code/get?access_token=${token}`, { method: 'POST', body: JSON.stringify({ code: DEMO.giftCard200.code }) });
    expect(await lookup.json()).toMatchObject({ errcode: 0, card: { balance: 20_000 } });

    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toContain('模拟器已停止');
  });

  it('keeps its state in sim.db in GCTERM_DATA_DIR by default and stops on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gcterm-cli-'));
    dirs.push(dataDir);
    const run = gcterm(['sim', '--port', '0', '--secret', 'my-own-secret-value'], { GCTERM_DATA_DIR: dataDir });
    await printedUrl(run);
    expect(run.stdout()).toContain(join(dataDir, 'sim.db'));
    // A secret given on the command line is never printed in full.
    expect(run.stdout()).not.toContain('my-own-secret-value');
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(existsSync(join(dataDir, 'sim.db'))).toBe(true);
  });

  it('refuses a bad --port and --memory with --db as bad input (exit 1)', async () => {
    const badPort = gcterm(['sim', '--port', 'eighty']);
    expect(await badPort.exited).toBe(1);
    expect(badPort.stderr()).toContain('--port');
    const both = gcterm(['sim', '--memory', '--db', '/tmp/x.db']);
    expect(await both.exited).toBe(1);
    expect(both.stderr()).toContain('--memory');
  });
});
