/**
 * Tamper evidence on real files: `journal verify` passes on an untouched journal and names what
 * is missing after each way a journal can lose part of itself — a deleted row, the last
 * redemption deleted with its events, a deleted tail, committed events lost to a truncated WAL
 * after `kill -9` — and reports a damaged page found by SQLite's quick_check.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, readFileSync, closeSync, writeSync, truncateSync, statSync, writeFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ChainVerification } from '../../shared/contract.ts';
import type { JournalProblem } from '../../shared/i18n/journal.ts';
import { inTransaction, openJournal } from '../../src-main/journal/db.ts';
import { appendEvent, verifyChain } from '../../src-main/journal/events.ts';
import { toCsv } from '../../src-main/journal/export.ts';
import { headPath, journalHead, readHeadFile } from '../../src-main/journal/head.ts';
import { listRedemptions } from '../../src-main/journal/redemptions.ts';
import { DEMO_MERCHANT_ID } from '../../src-main/sim/index.ts';
import { openTerminal, type Terminal } from '../../src-main/terminal.ts';
import { startTestSim, type TestSim } from '../helpers/sim.ts';
import { tempDir, terminalEnv } from '../helpers/terminal.ts';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/gcterm.js');
const CHILD = join(import.meta.dirname, 'fixtures/redeem-and-hold.ts');

type Run = Readonly<{ code: number | null; stdout: string; stderr: string }>;

function gcterm(args: readonly string[], env: Readonly<Record<string, string>>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Resolves with the child's first stdout line matching `pattern` (or rejects when it exits first). */
function lineFrom(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split('\n').find((l) => pattern.test(l));
      if (line) resolve(line);
    });
    child.on('exit', (code) => reject(new Error(`child exited (${code}) before "${pattern}": ${buffer}${stderr}`)));
  });
}

let sim: TestSim;
let dir: ReturnType<typeof tempDir>;
let env: Record<string, string>;
let terminal: Terminal | null = null;

beforeAll(async () => {
  sim = await startTestSim();
});
afterAll(async () => sim.close());
beforeEach(() => {
  dir = tempDir();
  env = terminalEnv(sim.url, dir.path);
});
afterEach(async () => {
  await terminal?.close();
  terminal = null;
  dir.remove();
});

const journalPath = () => join(dir.path, 'journal.db');

async function open(): Promise<Terminal> {
  terminal = await openTerminal({ dataDir: dir.path, env, engine: { backoffMs: () => 0 } });
  return terminal;
}

/** Three settled redemptions through the real engine, on a real journal file; closes it. */
async function threeRedemptions(): Promise<string[]> {
  const card = await sim.createCard({ balanceFen: 10_000, merchantId: DEMO_MERCHANT_ID });
  const t = await open();
  const ids: string[] = [];
  for (const amount of ['1', '2', '3']) {
    const result = await t.engine.redeem({ code: card.code, amount, cashier: 'alice' });
    if (!result.ok || result.value.state !== 'settled') throw new Error(`not settled: ${JSON.stringify(result)}`);
    ids.push(result.value.id);
  }
  await t.close();
  terminal = null;
  return ids;
}

/** Runs `fn` on the journal file as someone with a SQLite shell would, behind the app's back. */
function tamper(fn: (db: Database.Database) => void): void {
  const db = new Database(journalPath());
  try {
    fn(db);
  } finally {
    db.close();
  }
}

function verifyFile(): ChainVerification {
  const db = openJournal(journalPath());
  try {
    return verifyChain(db);
  } finally {
    db.close();
  }
}

const kinds = (result: ChainVerification) => (result.problems ?? []).map((p) => p.kind);
const lastSeq = () => {
  const db = new Database(journalPath(), { readonly: true });
  try {
    return (db.prepare('SELECT coalesce(max(seq), 0) AS seq FROM events').get() as { seq: number }).seq;
  } finally {
    db.close();
  }
};

describe('an untouched journal', () => {
  it('verifies, its head file names its last event, and the CSV export names that head', async () => {
    await threeRedemptions();
    const result = verifyFile();
    expect(result).toMatchObject({ ok: true, problems: [] });
    expect(result.checked).toBe(lastSeq());
    const anchor = JSON.parse(readFileSync(join(dir.path, 'journal.head'), 'utf8')) as { seq: number; hash: string };
    expect(anchor).toMatchObject({ seq: lastSeq(), hash: result.head?.hash });

    const verify = await gcterm(['journal', 'verify', '--lang', 'en'], env);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain(`✔ Journal chain verified (${lastSeq()} events)`);
    expect(verify.stdout).toContain(`head: seq ${anchor.seq} sha256 ${anchor.hash}`);
    const csv = await gcterm(['journal', '--all', '--csv'], env);
    expect(csv.stdout.trimEnd().split('\r\n')).toHaveLength(4);
    expect(csv.stderr.trim()).toBe(`# journal head: seq ${anchor.seq} sha256 ${anchor.hash}`);
    // The manager's export from the UI carries it as its last line.
    const db = openJournal(journalPath());
    try {
      expect(toCsv(listRedemptions(db), { head: journalHead(db) }).trimEnd().split('\r\n').at(-1)).toBe(`# journal head: seq ${anchor.seq} sha256 ${anchor.hash}`);
    } finally {
      db.close();
    }
  });
});

describe('what is missing is named', () => {
  it('a deleted redemption row: its events remain, the row is named as deleted (zh-CN and English)', async () => {
    const [, second] = await threeRedemptions();
    tamper((db) => db.prepare('DELETE FROM redemptions WHERE id = ?').run(second));
    const result = verifyFile();
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([expect.objectContaining({ kind: 'row_deleted', id: second, state: 'settled' })]);

    const en = await gcterm(['journal', 'verify', '--lang', 'en'], env);
    expect(en.code).toBe(1);
    expect(en.stdout).toContain(`✘ Journal chain broken: redemption ${second} was deleted (its events remain, last state settled`);
    const zh = await gcterm(['journal', 'verify'], env);
    expect(zh.code).toBe(1);
    expect(zh.stdout).toContain(`✘ 日志校验失败：交易 ${second} 已被删除`);
  });

  it('the last redemption deleted with its events: the events after the survivors are named as missing', async () => {
    const [, , third] = await threeRedemptions();
    const before = lastSeq();
    let firstOfThird = 0;
    tamper((db) => {
      firstOfThird = (db.prepare('SELECT min(seq) AS seq FROM events WHERE redemption_id = ?').get(third) as { seq: number }).seq;
      db.prepare('DELETE FROM events WHERE redemption_id = ?').run(third);
      db.prepare('DELETE FROM redemptions WHERE id = ?').run(third);
    });
    // Without the head file this journal would be a perfectly consistent shorter one.
    expect(kinds(verifyFile())).toEqual(['tail_missing']);
    const result = verifyFile();
    const missing = result.problems?.[0] as Extract<JournalProblem, { kind: 'tail_missing' }>;
    expect(missing).toMatchObject({ from: firstOfThird, to: before, headSeq: before });

    const en = await gcterm(['journal', 'verify', '--lang', 'en', '--json'], env);
    expect(en.code).toBe(1);
    expect(JSON.parse(en.stdout)).toMatchObject({ ok: false, brokenAt: { problem: expect.stringContaining(`events ${firstOfThird}..${before} missing (head file says seq ${before}, hash `) as unknown } });
  });

  it('a deleted tail of events (rows kept): the missing events and the rows left without them are named', async () => {
    const ids = await threeRedemptions();
    const before = lastSeq();
    tamper((db) => db.prepare('DELETE FROM events WHERE seq > ?').run(before - 4));
    const result = verifyFile();
    expect(result.ok).toBe(false);
    expect(result.problems?.[0]).toMatchObject({ kind: 'tail_missing', from: before - 3, to: before });
    // The last redemption's final snapshot was in the deleted tail.
    expect(result.problems?.some((p) => (p.kind === 'row_altered' || p.kind === 'row_without_events') && p.id === ids[2])).toBe(true);
  });

  it('events deleted from the middle are named as a range', async () => {
    await threeRedemptions();
    tamper((db) => db.prepare('DELETE FROM events WHERE seq BETWEEN 3 AND 5').run());
    expect(verifyFile().problems?.[0]).toEqual({ kind: 'events_missing', from: 3, to: 5 });
  });

  it('kill -9 after three committed redemptions, then journal.db-wal truncated: the lost events are named (zh-CN and English)', async () => {
    // A first, cleanly closed start puts the schema into journal.db itself.
    expect((await gcterm(['journal'], env)).code).toBe(0);
    const from = lastSeq() + 1;
    const card = await sim.createCard({ balanceFen: 10_000, merchantId: DEMO_MERCHANT_ID });
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, '1', card.code, card.code, card.code], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    try {
      const committed = await lineFrom(child, /^committed /);
      expect(committed.split(' ').slice(1)).toHaveLength(3);
    } finally {
      child.kill('SIGKILL');
    }
    expect(await exited).toBe('SIGKILL');
    expect((await sim.code(card.code)).balanceFen).toBe(10_000 - 300);

    const wal = `${journalPath()}-wal`;
    expect(statSync(wal).size).toBeGreaterThan(0);
    const head = readFileSync(join(dir.path, 'journal.head'), 'utf8');
    const anchor = JSON.parse(head) as { seq: number; hash: string };
    truncateSync(wal, 0);

    const en = await gcterm(['journal', 'verify', '--lang', 'en'], env);
    expect(en.code).toBe(1);
    expect(en.stdout).toMatch(new RegExp(`events ${from}\\.\\.${anchor.seq} missing \\(head file says seq ${anchor.seq}, hash ${anchor.hash.slice(0, 16)}\\)`));
    const zh = await gcterm(['journal', 'verify'], env);
    expect(zh.code).toBe(1);
    expect(zh.stdout).toContain(`第 ${from}–${anchor.seq} 条记录缺失（链头文件记录到第 ${anchor.seq} 条`);
    // The lost redemptions are gone from the list too: only the head file remembers them.
    expect(JSON.parse((await gcterm(['journal', '--all', '--json'], env)).stdout)).toEqual([]);
  });

  it('events that name a redemption which never had a row are named (events without their row)', () => {
    const db = openJournal(journalPath());
    try {
      inTransaction(db, () => appendEvent(db, { redemptionId: 'ghost-1', kind: 'api', data: { path: '/card/generalcard/updateuser' } }));
      expect(verifyChain(db).problems).toEqual([{ kind: 'events_without_row', id: 'ghost-1', seq: 1 }]);
    } finally {
      db.close();
    }
  });

  it('a deleted or edited head file is reported, and never silently rewritten', async () => {
    await threeRedemptions();
    const path = join(dir.path, 'journal.head');
    unlinkSync(path);
    expect(verifyFile().problems).toEqual([{ kind: 'head_file_missing', seq: lastSeq() }]);
    writeFileSync(path, '{"seq": "many"}');
    expect(kinds(verifyFile())).toEqual(['head_file_unreadable']);
    // The next commit does not paper over the edited head.
    const db = openJournal(journalPath());
    try {
      inTransaction(db, () => appendEvent(db, { redemptionId: null, kind: 'input_rejected', data: { field: 'amount' } }));
    } finally {
      db.close();
    }
    expect(readFileSync(path, 'utf8')).toBe('{"seq": "many"}');
  });

  it('a rewritten history (same length, other events) contradicts the head', async () => {
    await threeRedemptions();
    const seq = lastSeq();
    tamper((db) => db.prepare('UPDATE events SET hash = ? WHERE seq = ?').run('f'.repeat(64), seq));
    expect(kinds(verifyFile())).toEqual(expect.arrayContaining(['event_altered', 'head_mismatch']));
  });

  it('a damaged page is reported by quick_check, not thrown', async () => {
    await threeRedemptions();
    let page = 0;
    let pageSize = 0;
    tamper((db) => {
      db.pragma('wal_checkpoint(TRUNCATE)');
      page = (db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'events_redemption'").get() as { rootpage: number }).rootpage;
      pageSize = db.pragma('page_size', { simple: true }) as number;
    });
    const fd = openSync(journalPath(), 'r+');
    try {
      writeSync(fd, Buffer.alloc(64, 0xa5), 0, 64, (page - 1) * pageSize);
    } finally {
      closeSync(fd);
    }
    const result = verifyFile();
    expect(result.ok).toBe(false);
    expect(kinds(result)).toContain('database_damaged');
    const en = await gcterm(['journal', 'verify', '--lang', 'en'], env);
    expect(en.code).toBe(1);
    expect(en.stdout).toContain('the database file is damaged');
    expect(en.stderr).not.toContain('    at ');
  });
});

describe('the head file', () => {
  it('is written after each commit, 0600, and never moved backwards by a connection that is behind', async () => {
    const path = journalPath();
    const a = openJournal(path);
    const b = openJournal(path);
    try {
      const append = (db: Database.Database) => inTransaction(db, () => appendEvent(db, { redemptionId: null, kind: 'input_rejected', data: {} }));
      append(a);
      append(b);
      append(a);
      const anchor = readHeadFile(a);
      expect(anchor).toMatchObject({ state: 'ok', head: { seq: 3, hash: journalHead(a)?.hash } });
      expect(statSync(headPath(path) ?? '').mode & 0o777).toBe(0o600);
      expect(verifyChain(a)).toMatchObject({ ok: true });
      // A head further on than this journal (another process's, or this journal lost events) is
      // never moved back by a later commit.
      const ahead = { seq: 9, hash: 'e'.repeat(64), at: 1 };
      writeFileSync(headPath(path) ?? '', JSON.stringify(ahead));
      append(b);
      expect(readHeadFile(b)).toEqual({ state: 'ok', head: ahead });
      expect(verifyChain(a).problems).toEqual([{ kind: 'tail_missing', from: 5, to: 9, headSeq: 9, headHash: ahead.hash }]);
    } finally {
      a.close();
      b.close();
    }
    expect(existsSync(join(dir.path, 'journal.head'))).toBe(true);
  });

  it('an in-memory journal has none and verifies', () => {
    const db = openJournal(':memory:');
    try {
      inTransaction(db, () => appendEvent(db, { redemptionId: null, kind: 'input_rejected', data: {} }));
      expect(verifyChain(db)).toMatchObject({ ok: true, checked: 1, problems: [] });
    } finally {
      db.close();
    }
  });
});
