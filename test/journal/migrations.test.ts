import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inTransaction, JournalTooNewError, openJournal } from '../../src-main/journal/db.ts';
import { verifyChain } from '../../src-main/journal/events.ts';
import { MIGRATIONS, type Migration } from '../../src-main/journal/migrations/index.ts';
import { insertRedemption, listRedemptions } from '../../src-main/journal/redemptions.ts';
import { tempDir } from '../helpers/terminal.ts';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.remove());

const queueOne = (db: Database.Database) =>
  inTransaction(db, () =>
    insertRedemption(db, {
      id: randomUUID(),
      terminal_id: 'T01',
      cashier: 'alice',
      scanned_code: '688000000001',
      code_kind: 'card_code',
      scanned_at: Date.now(),
      amount_fen: 1234,
      state: 'queued',
      offline: 1,
    }),
  );

describe('journal migrations', () => {
  it('creates a durable journal: WAL, synchronous=FULL, schema version = number of migrations', () => {
    const db = openJournal(join(dir.path, 'journal.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((t) => t.name);
    expect(tables).toEqual(expect.arrayContaining(['redemptions', 'events', 'dynamic_codes', 'card_definitions', 'card_cache', 'secrets']));
    db.close();
  });

  it('keeps queued redemptions across a restart and an upgrade to a newer schema', () => {
    const path = join(dir.path, 'journal.db');
    const db = openJournal(path);
    const row = queueOne(db);
    db.close();
    const next: Migration = { version: MIGRATIONS.length + 1, name: 'test-upgrade', up: 'ALTER TABLE redemptions ADD COLUMN note TEXT' };
    const upgraded = openJournal(path, [...MIGRATIONS, next]);
    expect(upgraded.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length + 1);
    expect(listRedemptions(upgraded, { state: 'queued' }).map((r) => [r.id, r.amount_fen])).toEqual([[row.id, 1234]]);
    upgraded.close();
  });

  it('refuses a journal written by a newer version of the app, with a clear message, and leaves it untouched', () => {
    const path = join(dir.path, 'journal.db');
    const raw = new Database(path);
    raw.pragma(`user_version = ${MIGRATIONS.length + 5}`);
    raw.close();
    expect(() => openJournal(path)).toThrow(JournalTooNewError);
    expect(() => openJournal(path)).toThrow(/newer than this terminal supports/);
    const check = new Database(path);
    expect(check.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length + 5);
    check.close();
  });

  it('0001 accepts only positive integer amounts and non-negative balances', () => {
    const db = openJournal(join(dir.path, 'journal.db'));
    const insert = (amount: number) =>
      db.prepare("INSERT INTO redemptions (id, terminal_id, cashier, scanned_code, code_kind, scanned_at, amount_fen, state, created_at, updated_at) VALUES (?, 'T', 'c', 'x', 'card_code', 0, ?, 'pending', 0, 0)").run(randomUUID(), amount);
    expect(() => insert(0)).toThrow(/CHECK/);
    expect(() => insert(-5)).toThrow(/CHECK/);
    queueOne(db);
    // A row to write to: a negative balance is refused by the schema, not merely matched by no row.
    expect(() => db.prepare('UPDATE redemptions SET balance_before_fen = -1').run()).toThrow(/CHECK/);
    expect(() => db.prepare('UPDATE redemptions SET target_balance_fen = -1').run()).toThrow(/CHECK/);
    expect(verifyChain(db).ok).toBe(true);
    db.close();
  });
});
