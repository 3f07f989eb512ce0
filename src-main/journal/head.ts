/**
 * The chain head anchored outside the database: after every commit the last event's seq and hash
 * go to a small file beside the journal (`journal.db` → `journal.head`), so a journal that lost
 * its tail (events deleted, a WAL truncated after a crash, the whole file swapped for an older
 * copy) no longer agrees with it and `journal verify` names the events that are missing.
 *
 * The file is replaced atomically (temp file, fsync, rename) while this connection holds
 * SQLite's write lock, so two processes on one journal never move the head backwards. A head
 * that the journal contradicts (the event at its seq has another hash) is kept as evidence: it is
 * not overwritten until someone looks. Writing the head can lag the journal by one commit (a
 * crash between the two), never lead it: the journal's commit is durable before the head is
 * written.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { createLogger } from '../log.ts';
import { privateFileMode } from '../fs-private.ts';
import { stmt, type Db } from './db.ts';

export type JournalHead = Readonly<{ seq: number; hash: string; at: number }>;

const log = createLogger('journal-head');

/** `…/journal.db` → `…/journal.head`; null for an in-memory database. */
export function headPath(dbPath: string): string | null {
  if (dbPath === '' || dbPath === ':memory:') return null;
  return `${dbPath.replace(/\.(db|sqlite3?)$/, '')}.head`;
}

/** The last event of the journal (its own view of the head), or null when it has none. */
export function journalHead(db: Db): JournalHead | null {
  const last = stmt(db, 'SELECT seq, hash, at FROM events ORDER BY seq DESC LIMIT 1').get() as JournalHead | undefined;
  return last ?? null;
}

export type HeadFile = Readonly<{ state: 'none' } | { state: 'missing' } | { state: 'unreadable'; message: string } | { state: 'ok'; head: JournalHead }>;

const isHead = (value: unknown): value is JournalHead => {
  const v = value as Partial<JournalHead> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    Number.isSafeInteger(v.seq) &&
    (v.seq ?? 0) > 0 &&
    typeof v.hash === 'string' &&
    /^[0-9a-f]{64}$/.test(v.hash) &&
    typeof v.at === 'number'
  );
};

/** Reads the head file of the database `db` is connected to. */
export function readHeadFile(db: Db): HeadFile {
  const path = headPath(db.name);
  if (path === null) return { state: 'none' };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'missing' };
    return { state: 'unreadable', message: (error as Error).message };
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (isHead(parsed)) return { state: 'ok', head: { seq: parsed.seq, hash: parsed.hash, at: parsed.at } };
  } catch {
    // Falls through: a torn or edited file.
  }
  return { state: 'unreadable', message: 'not a journal head' };
}

function writeAtomically(path: string, text: string): void {
  const temp = `${path}.${process.pid}.tmp`;
  const fd = openSync(temp, 'w', privateFileMode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
}

/** What the last head write of each connection recorded, so a commit without events costs nothing. */
const written = new WeakMap<Db, number>();

/**
 * Moves the head file forward to the journal's last event. Called after each outermost commit;
 * takes the write lock for a moment (no write of its own) so another process's later head cannot
 * be overtaken. Never throws: the commit it follows is already durable, and a lagging head only
 * weakens what verify can prove until the next commit.
 */
export function advanceHead(db: Db): void {
  const path = headPath(db.name);
  if (path === null || db.inTransaction || !db.open) return;
  try {
    db.transaction(() => {
      const last = journalHead(db);
      if (last === null || written.get(db) === last.seq) return;
      const current = readHeadFile(db);
      if (current.state === 'unreadable') {
        // Never written torn (rename is atomic): someone edited it. Kept for `journal verify`.
        log.warn('journal head not advanced: the head file is unreadable', { message: current.message });
        written.set(db, last.seq);
        return;
      }
      if (current.state === 'ok') {
        if (current.head.seq >= last.seq) {
          written.set(db, last.seq);
          return;
        }
        const there = stmt(db, 'SELECT hash FROM events WHERE seq = ?').get(current.head.seq) as { hash: string } | undefined;
        if (there?.hash !== current.head.hash) {
          // The journal contradicts its anchor: keep the anchor as evidence for `journal verify`.
          log.warn('journal head not advanced: the journal disagrees with its head file', { seq: current.head.seq });
          written.set(db, last.seq);
          return;
        }
      }
      writeAtomically(path, `${JSON.stringify({ seq: last.seq, hash: last.hash, at: Date.now() })}\n`);
      written.set(db, last.seq);
    }).immediate();
  } catch (error) {
    log.warn('journal head not written', { message: (error as Error).message });
  }
}
