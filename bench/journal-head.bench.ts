/**
 * What anchoring the chain head outside the journal costs each commit: one event appended per
 * durable commit (WAL, synchronous=FULL) on a real file, with the head file written after it
 * (inTransaction) and without (a bare BEGIN IMMEDIATE), interleaved so disk noise hits both.
 * The head write is a second short write-locked step, a temp file, an fsync and a rename.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inTransaction, openJournal, type Db } from '../src-main/journal/db.ts';
import { appendEvent } from '../src-main/journal/events.ts';
import { ms, percentile } from './stats.ts';

const ROUNDS = 200;

function timeCommit(db: Db, withHead: boolean): number {
  const append = () => appendEvent(db, { redemptionId: null, kind: 'bench', data: { n: 1 } });
  const started = performance.now();
  if (withHead) inTransaction(db, append);
  else db.transaction(append).immediate();
  return performance.now() - started;
}

export default async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gcterm-bench-head-'));
  const db = openJournal(join(dir, 'journal.db'));
  try {
    const bare: number[] = [];
    const anchored: number[] = [];
    for (let i = 0; i < 20; i++) timeCommit(db, i % 2 === 0);
    for (let i = 0; i < ROUNDS; i++) {
      bare.push(timeCommit(db, false));
      anchored.push(timeCommit(db, true));
    }
    const median = (xs: number[]) => percentile(xs, 50);
    const extra = median(anchored) - median(bare);
    console.log(`durable commit, bare:               p50 ${ms(median(bare))}  p95 ${ms(percentile(bare, 95))}`);
    console.log(`durable commit + head file written: p50 ${ms(median(anchored))}  p95 ${ms(percentile(anchored, 95))}`);
    console.log(`head write: +${ms(extra)} per commit (p50), ×${(median(anchored) / median(bare)).toFixed(2)} a bare commit`);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
