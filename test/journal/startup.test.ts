/**
 * Start-up refusals on real files: a journal that cannot be opened (not a database, a data
 * directory that cannot be created, a directory this user cannot write, a full disk) stops the
 * CLI before anything is sent, with a clear message in zh-CN or English and exit 5 — never a
 * stack trace. The file that is there is left as it was.
 *
 * Tests run as root in CI and root ignores file permissions, so "read-only" is made real in two
 * ways that hold for root too: the command runs as the unprivileged user `nobody` (uid 65534)
 * against a root-owned journal, and — where unprivileged user namespaces are allowed — a tmpfs
 * mounted read-only (EROFS, which binds root as well). The full disk is a real 256 KiB tmpfs
 * filled to the last block, or SQLite's own SQLITE_FULL through `max_page_count`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { JournalOpenError, openJournal } from '../../src-main/journal/db.ts';
import { MIGRATIONS } from '../../src-main/journal/migrations/index.ts';
import { DEMO_MERCHANT_ID } from '../../src-main/sim/index.ts';
import { startTestSim, type TestSim } from '../helpers/sim.ts';
import { tempDir, terminalEnv } from '../helpers/terminal.ts';

const BIN = join(import.meta.dirname, '../../bin/gcterm.js');

type Run = Readonly<{ code: number | null; stdout: string; stderr: string }>;

function run(command: string, args: readonly string[], env: Readonly<Record<string, string>>, extra: { uid?: number; gid?: number } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], ...extra });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const gcterm = (args: readonly string[], env: Readonly<Record<string, string>>, extra: { uid?: number; gid?: number } = {}) =>
  run(process.execPath, [BIN, ...args], env, extra);

/** Unprivileged user and mount namespaces (`unshare -rm`) let a test mount its own tmpfs. */
const canMount = spawnSync('unshare', ['-rm', 'sh', '-c', 'mount -t tmpfs -o size=64k tmpfs /mnt'], { stdio: 'ignore' }).status === 0;
const isRoot = process.getuid?.() === 0;

let sim: TestSim;
let dir: ReturnType<typeof tempDir>;

beforeAll(async () => {
  sim = await startTestSim();
});
afterAll(async () => sim.close());
beforeEach(async () => {
  dir = tempDir();
  await sim.clearRequests();
});
afterEach(() => dir.remove());

const writesSent = async () => (await sim.requests()).filter((r) => r.path.startsWith('/card/'));

function expectRefusal(result: Run, words: RegExp): void {
  expect(result.code, result.stderr).toBe(5);
  expect(result.stderr).toMatch(words);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.stderr).not.toContain('SqliteError');
}

describe('a journal that is not a database', () => {
  it('is refused before anything is sent (exit 5, zh-CN and English), and left untouched', async () => {
    const dataDir = join(dir.path, 'data');
    mkdirSync(dataDir);
    const journal = join(dataDir, 'journal.db');
    const garbage = Buffer.from('this is a spreadsheet someone saved over the journal\n'.repeat(200));
    writeFileSync(journal, garbage);
    const card = await sim.createCard({ balanceFen: 5_000, merchantId: DEMO_MERCHANT_ID });
    const env = terminalEnv(sim.url, dataDir);

    const zh = await gcterm(['redeem', card.code, '10'], env);
    expectRefusal(zh, /不是有效的交易日志数据库或已损坏.*未进行任何扣款/);
    expect(zh.stderr).toContain(journal);
    const en = await gcterm(['--lang', 'en', 'redeem', card.code, '10'], env);
    expectRefusal(en, /is not a journal database or is damaged.*No money was moved/);

    expect(await writesSent()).toEqual([]);
    expect((await sim.code(card.code)).balanceFen).toBe(5_000);
    expect(readFileSync(journal)).toEqual(garbage);
    expect(() => openJournal(journal)).toThrow(expect.objectContaining({ name: 'JournalOpenError', reason: 'corrupt' }) as unknown as Error);
  });
});

describe('browser mode', () => {
  it('`gcterm serve` on a journal that is not a database refuses (exit 5) instead of serving', async () => {
    const dataDir = join(dir.path, 'data');
    mkdirSync(dataDir);
    writeFileSync(join(dataDir, 'journal.db'), 'not a database '.repeat(500));
    const result = await gcterm(['--lang', 'en', 'serve', '--port', '0'], terminalEnv(sim.url, dataDir));
    expectRefusal(result, /is not a journal database or is damaged/);
    expect(result.stdout).not.toContain('http://127.0.0.1');
  });
});

describe('a data directory that cannot be made', () => {
  it('under a regular file: refused with the path named', async () => {
    const blocker = join(dir.path, 'not-a-dir');
    writeFileSync(blocker, 'x');
    const env = terminalEnv(sim.url, join(blocker, 'gcterm'));
    const result = await gcterm(['--lang', 'en', 'lookup', '688000000001'], env);
    expectRefusal(result, /Cannot create the data directory .*not-a-dir\/gcterm: a file is in the way/);
    expect(await writesSent()).toEqual([]);
  });
});

describe('a read-only journal', () => {
  it('a journal this user cannot write (run as the unprivileged user nobody, or a 0555 directory): refused', async () => {
    // A journal made by another user (an install run as root, the app run as the cashier).
    const dataDir = join(dir.path, 'data');
    const env = terminalEnv(sim.url, dataDir);
    expect((await gcterm(['journal'], env)).code).toBe(0);
    const journal = join(dataDir, 'journal.db');
    const before = readFileSync(journal);
    chmodSync(dir.path, 0o755);
    chmodSync(dataDir, 0o755);
    chmodSync(journal, 0o644);
    const card = await sim.createCard({ balanceFen: 5_000, merchantId: DEMO_MERCHANT_ID });
    let result: Run;
    if (isRoot) {
      result = await gcterm(['--lang', 'en', 'redeem', card.code, '10'], { ...env, HOME: dir.path }, { uid: 65534, gid: 65534 });
    } else {
      chmodSync(journal, 0o444);
      chmodSync(dataDir, 0o555);
      result = await gcterm(['--lang', 'en', 'redeem', card.code, '10'], env);
      chmodSync(dataDir, 0o755);
    }
    expectRefusal(result, /is on a read-only disk or in a directory this user cannot write/);
    expect(await writesSent()).toEqual([]);
    expect(readFileSync(journal)).toEqual(before);
  });

  it.skipIf(!canMount)('on a file system mounted read-only (EROFS binds root too): refused', async () => {
    const mount = join(dir.path, 'ro');
    mkdirSync(mount);
    const dataDir = join(mount, 'data');
    const env = terminalEnv(sim.url, dataDir);
    // Inside its own mount namespace: a tmpfs with a real journal, then remounted read-only.
    const script = [
      `mount -t tmpfs -o size=4m tmpfs '${mount}'`,
      `'${process.execPath}' '${BIN}' journal >/dev/null || exit 90`,
      `mount -o remount,ro '${mount}'`,
      `'${process.execPath}' '${BIN}' --lang en lookup 688000000001`,
    ].join(' && ');
    const result = await run('unshare', ['-rm', 'sh', '-c', script], env);
    expectRefusal(result, /is on a read-only disk or in a directory this user cannot write/);
    expect(await writesSent()).toEqual([]);
  });
});

describe('a full disk', () => {
  it('SQLite answering SQLITE_FULL while the journal is created is a JournalOpenError(disk_full), not a SqliteError', () => {
    const path = join(dir.path, 'journal.db');
    let thrown: unknown;
    try {
      openJournal(path, MIGRATIONS, { pragmas: ['max_page_count = 2'] });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(JournalOpenError);
    expect(thrown).toMatchObject({ reason: 'disk_full', path });
    // Nothing half-made is left that a later start would misread: with room, it opens.
    openJournal(path).close();
  });

  it.skipIf(!canMount)('a real full tmpfs, with an existing journal: refused before anything is sent (exit 5)', async () => {
    const mount = join(dir.path, 'full');
    mkdirSync(mount);
    const dataDir = join(mount, 'data');
    const card = await sim.createCard({ balanceFen: 5_000, merchantId: DEMO_MERCHANT_ID });
    const env = terminalEnv(sim.url, dataDir);
    const script = [
      `mount -t tmpfs -o size=2m tmpfs '${mount}'`,
      `'${process.execPath}' '${BIN}' journal >/dev/null || exit 90`,
      `(dd if=/dev/zero of='${mount}/fill' bs=4k 2>/dev/null; true)`,
      `'${process.execPath}' '${BIN}' --lang en redeem ${card.code} 10`,
    ].join(' && ');
    const result = await run('unshare', ['-rm', 'sh', '-c', script], env);
    expectRefusal(result, /The disk is full: the journal .*journal\.db cannot be written/);
    expect(await writesSent()).toEqual([]);
    expect((await sim.code(card.code)).balanceFen).toBe(5_000);
  });
});

describe('data at rest', () => {
  it('the data directory is 0700 and the journal, WAL, SHM, head, simulator and settings files 0600; an old install is tightened', async () => {
    const dataDir = join(dir.path, 'data');
    // An install from before: world-readable directory and files.
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    writeFileSync(join(dataDir, 'settings.json'), '{}', { mode: 0o644 });
    chmodSync(join(dataDir, 'settings.json'), 0o644);
    // No API base: the embedded simulator keeps its state in sim.db beside the journal.
    const env = { GCTERM_DATA_DIR: dataDir, GCTERM_TIMEOUT_MS: '2000' };
    const child = spawn(process.execPath, [BIN, 'redeem', '688000000001', '1'], { env: { ...process.env, ...env }, stdio: 'ignore' });
    await new Promise((resolve) => child.on('close', resolve));
    const mode = (path: string) => statSync(path).mode & 0o777;
    expect(mode(dataDir)).toBe(0o700);
    for (const file of ['journal.db', 'journal.head', 'sim.db', 'settings.json']) expect([file, mode(join(dataDir, file))]).toEqual([file, 0o600]);

    // While a process has it open, the WAL and SHM exist: 0600 too.
    const open = openJournal(join(dataDir, 'journal.db'));
    try {
      open.exec("INSERT INTO secrets (name, value, updated_at) VALUES ('probe', 'x', 0)");
      for (const file of ['journal.db-wal', 'journal.db-shm']) {
        expect(existsSync(join(dataDir, file))).toBe(true);
        expect([file, mode(join(dataDir, file))]).toEqual([file, 0o600]);
      }
    } finally {
      open.close();
    }
  });
});
