/**
 * Data at rest stays the owner's: the data directory is 0700 and the files in it that hold card
 * codes or credentials (journal.db with its -wal and -shm, sim.db, settings.json, the journal
 * head) are 0600. Existing installs made before this rule are tightened when they are opened.
 * On Windows, modes are not enforced by the OS this way; the profile directory's ACL applies.
 */
import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openFailureReason, SqliteOpenError } from './sqlite.ts';

export const privateDirMode = 0o700;
export const privateFileMode = 0o600;

/** Only the owner can change a mode: another user's file is left as it is (opening it decides). */
const tighten = (path: string, mode: number): void => {
  try {
    const stat = statSync(path);
    const mine = process.getuid === undefined || stat.uid === process.getuid();
    if (mine && (stat.mode & 0o777) !== mode) chmodSync(path, mode);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
};

/** Creates `dir` (and missing parents) and makes `dir` itself owner-only. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: privateDirMode });
  tighten(dir, privateDirMode);
}

/**
 * The terminal's data directory: created or tightened to 0700, and the settings file (written
 * 0600 since it holds secrets, but perhaps older) tightened too. The SQLite files are tightened
 * as they are opened (prepareSqliteFile).
 */
export function ensurePrivateDataDir(dataDir: string): void {
  try {
    ensurePrivateDir(dataDir);
    tightenFile(join(dataDir, 'settings.json'));
  } catch (error) {
    throw new SqliteOpenError(openFailureReason(error), dataDir, (error as Error).message);
  }
}

/** Makes an existing file owner-only; a file that does not exist is left alone. */
export function tightenFile(path: string): void {
  tighten(path, privateFileMode);
}

/**
 * A SQLite database file created owner-only before SQLite opens it (SQLite gives its -wal and
 * -shm the database file's own mode), and an existing one with its -wal and -shm tightened.
 */
export function prepareSqliteFile(path: string): void {
  closeSync(openSync(path, 'a', privateFileMode));
  for (const file of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) tightenFile(file);
}
