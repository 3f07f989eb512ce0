/**
 * Opening a durable SQLite file, shared by the journal and the simulator: WAL with
 * synchronous=FULL (a committed row survives a power cut), numbered migrations applied in order
 * with the version in PRAGMA user_version, and a database newer than the code refused rather
 * than misread.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

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

/** Opens (creating if needed) `path`, or a private in-memory database for ':memory:'. */
export function openDurableSqlite(path: string, migrations: readonly Migration[], tooNew: TooNew): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // Another process (the CLI beside the app) may hold the write lock for a moment.
    db.pragma('busy_timeout = 5000');
    runMigrations(db, migrations, tooNew);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}
