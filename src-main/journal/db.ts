/**
 * Opening the journal: WAL with synchronous=FULL, so a committed row survives a power cut
 * (docs/architecture.md, invariant 2), migrations applied in order, and a database newer than this code
 * refused rather than misread.
 */
import Database from 'better-sqlite3';
import { openDurableSqlite, SqliteOpenError, type Migration, type OpenOptions } from '../sqlite.ts';
import { advanceHead } from './head.ts';
import { MIGRATIONS } from './migrations/index.ts';

export type Db = Database.Database;

export class JournalTooNewError extends Error {
  constructor(found: number, supported: number) {
    super(`the journal database is version ${found}, newer than this terminal supports (${supported}): update the app`);
    this.name = 'JournalTooNewError';
  }
}

/** The journal cannot be opened (disk full, read-only, not a database…): refuse to start. */
export class JournalOpenError extends SqliteOpenError {
  constructor(cause: SqliteOpenError) {
    super(cause.reason, cause.path, cause.detail);
    this.name = 'JournalOpenError';
  }
}

export function openJournal(path: string, migrations: readonly Migration[] = MIGRATIONS, options: OpenOptions = {}): Db {
  try {
    return openDurableSqlite(path, migrations, (found, supported) => new JournalTooNewError(found, supported), options);
  } catch (error) {
    throw error instanceof SqliteOpenError ? new JournalOpenError(error) : error;
  }
}

/**
 * Runs `fn` in a BEGIN IMMEDIATE transaction: one durable commit. After the outermost commit the
 * chain head is written beside the database file (head.ts), so `journal verify` notices a journal
 * that later loses its tail.
 */
export function inTransaction<T>(db: Db, fn: () => T): T {
  const value = db.transaction(fn).immediate();
  advanceHead(db);
  return value;
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
