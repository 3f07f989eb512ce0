/**
 * The lock file of an owner process (src-main/redemption/ownership.ts): a tiny SQLite file the
 * process holds an exclusive lock on for as long as it lives. The OS drops the lock however the
 * process ends, so trying the lock tells whether the process is still there.
 */
import Database from 'better-sqlite3';

export type OwnerLock = Readonly<{ release(): void }>;

/** Takes the lock on `path` (creating the file); held until release() or the process ends. */
export function holdOwnerLock(path: string): OwnerLock {
  const lock = new Database(path);
  lock.pragma('journal_mode = DELETE');
  lock.exec('CREATE TABLE IF NOT EXISTS owner (id TEXT)');
  lock.exec('BEGIN EXCLUSIVE');
  return { release: () => lock.close() };
}

/** Whether some process holds the lock on `path` (false when the file does not exist). */
export function ownerLockHeld(path: string): boolean {
  let probe: Database.Database;
  try {
    probe = new Database(path, { timeout: 0, fileMustExist: true });
  } catch {
    return false; // no lock file: it never got that far, or it was cleaned up
  }
  try {
    probe.exec('BEGIN IMMEDIATE');
    probe.exec('ROLLBACK');
    return false;
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_BUSY') return true;
    throw error;
  } finally {
    probe.close();
  }
}
