/**
 * `journal verify`: what the journal can prove about itself, and what is missing.
 *
 * 1. SQLite's `PRAGMA quick_check` (a damaged page).
 * 2. The sha256 chain, event by event: gaps, broken links, altered events.
 * 3. The head anchored outside the database (head.ts): a journal that ends before it lost its
 *    tail (deleted events, a WAL truncated after a crash, an older copy of the file); one whose
 *    event at the head's seq differs was rewritten.
 * 4. Rows against events: each redemption row must equal the snapshot in its last state event;
 *    a row without events, state events whose row was deleted, events naming no row.
 *
 * Every problem found is returned (up to MAX_PROBLEMS) as a kind with parameters, printed in
 * zh-CN or English by shared/i18n/journal.ts; `brokenAt` keeps the first one as a sentence.
 */
import type { ChainVerification } from '../../shared/contract.ts';
import { describeJournalProblem, type JournalProblem } from '../../shared/i18n/journal.ts';
import { stmt, type Db } from './db.ts';
import { eventHash, GENESIS_HASH, rowFingerprint, type EventRow } from './events.ts';
import { readHeadFile } from './head.ts';

export const MAX_PROBLEMS = 100;

const problemSeq = (problem: JournalProblem): number => {
  switch (problem.kind) {
    case 'events_missing':
    case 'tail_missing':
      return problem.from;
    case 'head_mismatch':
    case 'link_broken':
    case 'event_altered':
    case 'row_altered':
    case 'row_deleted':
    case 'events_without_row':
    case 'head_file_missing':
      return problem.seq;
    default:
      return 0;
  }
};

function result(problems: readonly JournalProblem[], checked: number, head: { seq: number; hash: string } | null): ChainVerification {
  const first = problems[0];
  return {
    ok: problems.length === 0,
    checked,
    head,
    problems,
    ...(first ? { brokenAt: { seq: problemSeq(first), problem: describeJournalProblem(first, 'en') } } : {}),
  };
}

function quickCheck(db: Db): string | null {
  const rows = db.pragma('quick_check') as Array<{ quick_check: string }>;
  const messages = rows.map((row) => row.quick_check).filter((message) => message !== 'ok');
  return messages.length === 0 ? null : messages.slice(0, 5).join('; ');
}

export function verifyJournal(db: Db): ChainVerification {
  const problems: JournalProblem[] = [];
  const add = (problem: JournalProblem): void => {
    if (problems.length < MAX_PROBLEMS) problems.push(problem);
  };
  let checked = 0;
  let last: { seq: number; hash: string } | null = null;
  try {
    const damage = quickCheck(db);
    if (damage !== null) add({ kind: 'database_damaged', message: damage });

    let prevHash = GENESIS_HASH;
    let expectedSeq = 1;
    const lastState = new Map<string, { seq: number; fingerprint: string | null; state: string }>();
    const firstEvent = new Map<string, number>();
    for (const row of stmt(db, 'SELECT * FROM events ORDER BY seq').iterate() as IterableIterator<EventRow>) {
      if (row.seq !== expectedSeq) {
        add({ kind: 'events_missing', from: expectedSeq, to: row.seq - 1 });
        // The missing events' hashes are unknown: carry on from this event's own link.
        prevHash = row.prev_hash;
      }
      if (row.prev_hash !== prevHash) add({ kind: 'link_broken', seq: row.seq });
      if (eventHash(row.prev_hash, row.seq, row.at, row.redemption_id, row.kind, row.data) !== row.hash) {
        add({ kind: 'event_altered', seq: row.seq, eventKind: row.kind });
      }
      if (row.redemption_id) {
        if (!firstEvent.has(row.redemption_id)) firstEvent.set(row.redemption_id, row.seq);
        if (row.kind === 'state') {
          let data: { fingerprint?: string; state?: string } = {};
          try {
            data = JSON.parse(row.data) as typeof data;
          } catch {
            // An unparsable state event is already an altered event (its hash no longer matches).
          }
          lastState.set(row.redemption_id, { seq: row.seq, fingerprint: data.fingerprint ?? null, state: String(data.state ?? '?') });
        }
      }
      prevHash = row.hash;
      expectedSeq = row.seq + 1;
      last = { seq: row.seq, hash: row.hash };
      checked++;
    }

    const anchor = readHeadFile(db);
    if (anchor.state === 'missing' && last !== null) add({ kind: 'head_file_missing', seq: last.seq });
    else if (anchor.state === 'unreadable') add({ kind: 'head_file_unreadable', message: anchor.message });
    else if (anchor.state === 'ok') {
      const head = anchor.head;
      const lastSeq = last?.seq ?? 0;
      if (lastSeq < head.seq) add({ kind: 'tail_missing', from: lastSeq + 1, to: head.seq, headSeq: head.seq, headHash: head.hash });
      else {
        const there = stmt(db, 'SELECT hash FROM events WHERE seq = ?').get(head.seq) as { hash: string } | undefined;
        // A gap at exactly the head's seq is already named as missing events.
        if (there && there.hash !== head.hash) add({ kind: 'head_mismatch', seq: head.seq, headHash: head.hash, hash: there.hash });
      }
    }

    const rowIds = new Set<string>();
    for (const redemption of stmt(db, 'SELECT * FROM redemptions ORDER BY created_at').iterate() as IterableIterator<Record<string, unknown>>) {
      const id = String(redemption.id);
      rowIds.add(id);
      const snapshot = lastState.get(id);
      if (!snapshot) add({ kind: 'row_without_events', id });
      else if (snapshot.fingerprint !== null && rowFingerprint(redemption) !== snapshot.fingerprint) add({ kind: 'row_altered', id, seq: snapshot.seq });
    }
    for (const [id, seq] of firstEvent) {
      if (rowIds.has(id)) continue;
      const snapshot = lastState.get(id);
      if (snapshot) add({ kind: 'row_deleted', id, seq: snapshot.seq, state: snapshot.state });
      else add({ kind: 'events_without_row', id, seq });
    }
  } catch (error) {
    // A damaged page can make reading itself fail: that is the finding, not a crash.
    add({ kind: 'database_damaged', message: (error as Error).message });
  }
  return result(problems, checked, last);
}
