/**
 * Opening the journal: WAL with synchronous=FULL, so a committed row survives a power cut
 * (DESIGN.md invariant 2), migrations applied in order, and a database newer than this code
 * refused rather than misread.
 */
import Database from 'better-sqlite3';
import { openDurableSqlite, runMigrations, type Migration } from '../sqlite.ts';
import { MIGRATIONS } from './migrations/index.ts';

export type Db = Database.Database;

export class JournalTooNewError extends Error {
  constructor(found: number, supported: number) {
    super(`the journal database is version ${found}, newer than this terminal supports (${supported}): update the app`);
    this.name = 'JournalTooNewError';
  }
}

export function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): void {
  runMigrations(db, migrations, (found, supported) => new JournalTooNewError(found, supported));
}

export function openJournal(path: string, migrations: readonly Migration[] = MIGRATIONS): Db {
  return openDurableSqlite(path, migrations, (found, supported) => new JournalTooNewError(found, supported));
}

/** Runs `fn` in a BEGIN IMMEDIATE transaction: one durable commit. */
export function inTransaction<T>(db: Db, fn: () => T): T {
  return db.transaction(fn).immediate();
}

const statementCache = new WeakMap<Db, Map<string, Database.Statement>>();

/** A prepared statement, compiled once per database connection (queries run on every step). */
export function stmt(db: Db, sql: string): Database.Statement {
  let cache = statementCache.get(db);
  if (!cache) {
    cache = new Map();
    statementCache.set(db, cache);
  }
  let statement = cache.get(sql);
  if (!statement) {
    statement = db.prepare(sql);
    cache.set(sql, statement);
  }
  return statement;
}
