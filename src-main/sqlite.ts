/**
 * Opening a durable SQLite file, shared by the journal and the simulator: WAL with
 * synchronous=FULL (a committed row survives a power cut), numbered migrations applied in order
 * with the version in PRAGMA user_version, and a database newer than the code refused rather
 * than misread.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { OpenFailureReason } from '../shared/i18n/journal.ts';
import { prepareSqliteFile } from './fs-private.ts';

export type Migration = Readonly<{ version: number; name: string; up: string }>;

export type TooNew = (found: number, supported: number) => Error;

export function runMigrations(db: Database.Database, migrations: readonly Migration[], tooNew: TooNew): void {
  const latest = migrations.at(-1)?.version ?? 0;
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > latest) throw tooNew(current, latest);
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.up);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
}

/**
 * A database that cannot be opened, migrated or written at start-up, with the reason in terms a
 * person can act on (shared/i18n/journal.ts has the texts). Nothing has been sent when it is
 * thrown: the caller refuses to start.
 */
export class SqliteOpenError extends Error {
  constructor(
    readonly reason: OpenFailureReason,
    readonly path: string,
    readonly detail: string,
  ) {
    super(`${path}: cannot open (${reason}): ${detail}`);
    this.name = 'SqliteOpenError';
  }
}

/** Maps an error from the file system or SQLite onto why the database cannot be used. */
export function openFailureReason(error: unknown): OpenFailureReason {
  const code = String((error as { code?: unknown } | null)?.code ?? '');
  // SHMSIZE: the -shm file could not be grown, which SQLite documents as a full disk.
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL' || code === 'SQLITE_IOERR_SHMSIZE') return 'disk_full';
  if (['EROFS', 'EACCES', 'EPERM'].includes(code) || code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_PERM') {
    return 'read_only';
  }
  if (code === 'ENOTDIR' || code === 'EEXIST' || code === 'EISDIR') return 'not_a_directory';
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) return 'corrupt';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'busy';
  return 'io';
}

/** Extra pragmas run right after opening (tests: `max_page_count` makes SQLite answer SQLITE_FULL). */
export type OpenOptions = Readonly<{ pragmas?: readonly string[] }>;

/**
 * Opens (creating if needed) `path`, or a private in-memory database for ':memory:'. The file and
 * its -wal/-shm are owner-only (fs-private.ts). A database that cannot be opened or migrated is a
 * SqliteOpenError naming why; a database newer than the code is `tooNew`'s error.
 */
export function openDurableSqlite(path: string, migrations: readonly Migration[], tooNew: TooNew, options: OpenOptions = {}): Database.Database {
  let db: Database.Database;
  try {
    if (path !== ':memory:') {
      mkdirSync(dirname(path), { recursive: true });
      prepareSqliteFile(path);
    }
    db = new Database(path);
  } catch (error) {
    throw new SqliteOpenError(openFailureReason(error), path, (error as Error).message);
  }
  let migrating = false;
  try {
    for (const pragma of options.pragmas ?? []) db.pragma(pragma);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // Another process (the CLI beside the app) may hold the write lock for a moment.
    db.pragma('busy_timeout = 5000');
    migrating = true;
    runMigrations(db, migrations, tooNew);
  } catch (error) {
    db.close();
    if (migrating && !(error as { code?: unknown }).code) throw error;
    throw new SqliteOpenError(openFailureReason(error), path, (error as Error).message);
  }
  return db;
}
