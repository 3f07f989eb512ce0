/**
 * Several counters end to end: each a separate `gcterm` process with its own data dir, enrolled
 * with the real CLI at a hub process (`gcterm hub serve`) on a throwaway PostgreSQL, against the
 * simulator over HTTP. What a store notices: tokens come from the hub alone, the store's day adds
 * up across counters, a stopped hub means nothing is sent and the offline rules apply (then one
 * replay), a revoked counter is refused, a journal that lost its tail is noticed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubClient, readHubEnrolment } from '../../src-main/hub/client.ts';
import { JournalSync } from '../../src-main/hub/journal-sync.ts';
import { openJournal } from '../../src-main/journal/db.ts';
import { appendEvent } from '../../src-main/journal/events.ts';
import { DEMO_MERCHANT_ID } from '../../src-main/sim/index.ts';
import { gcterm } from '../cli/run-gcterm.ts';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { deductions, startTestSim, type TestSim } from '../helpers/sim.ts';
import { enrolCounter, hubEnv, startHubProcess, type HubProcess } from './helpers.ts';

let postgres: TestPostgres;
let sim: TestSim;
let db: string;
let hub: HubProcess;
let hubPort: number;
let environment: Record<string, string>;
const counters = new Map<string, string>();

/** The counters carry no WeChat credential at all: only the API address and their store's scope. */
const counterEnv = (terminal: string) => ({
  GCTERM_API_BASE: sim.url,
  GCTERM_MERCHANT_ID: String(DEMO_MERCHANT_ID),
  GCTERM_DATA_DIR: counters.get(terminal) ?? '',
  GCTERM_CASHIER: `cashier-${terminal}`,
  GCTERM_HUB_PUSH_MS: '500',
});
const run = (terminal: string, ...args: string[]) => gcterm(['--json', ...args], counterEnv(terminal));

beforeAll(async () => {
  [postgres, sim] = await Promise.all([startTestPostgres(), startTestSim()]);
  db = await postgres.createDatabase('counters');
  environment = hubEnv(sim.url, db);
  hub = await startHubProcess(environment);
  hubPort = Number(new URL(hub.url).port);
  await Promise.all(
    ['T01', 'T02', 'T03'].map(async (id) => counters.set(id, await enrolCounter(hub.url, db, id, { GCTERM_API_BASE: sim.url }))),
  );
});
afterAll(async () => {
  await hub?.stop();
  await sim?.close();
  await postgres?.close();
});

const giftCard = (balanceFen: number) => sim.createCard({ balanceFen, merchantId: DEMO_MERCHANT_ID });

describe('counters at one hub', () => {
  it('only the hub fetches tokens, and the store report adds up across counters and cashiers', async () => {
    await sim.clearRequests();
    const card = await giftCard(100_000);
    const results = await Promise.all(['T01', 'T02', 'T03'].map((t, i) => run(t, 'redeem', card.code, String(10 + i))));
    for (const result of results) expect(JSON.parse(result.stdout)).toMatchObject({ state: 'settled' });
    expect((await sim.code(card.code)).balanceFen).toBe(100_000 - 1000 - 1100 - 1200);
    // Three counter processes, each would have fetched its own token alone: one fetch, by the hub.
    const tokenCalls = (await sim.requests()).filter((r) => r.path.includes('token'));
    expect(tokenCalls).toHaveLength(1);

    const report = await gcterm(['--json', 'hub', 'report', '--db', db, '--store', 'S1'], {});
    expect(report.code).toBe(0);
    const day = JSON.parse(report.stdout) as { totals: { settled: { count: number; fen: number } }; rows: Array<{ terminalId: string; cashier: string; state: string; amountFen: number }> };
    expect(day.totals.settled).toEqual({ count: 3, fen: 3300 });
    expect(day.rows.map((r) => [r.terminalId, r.cashier, r.state, r.amountFen])).toEqual([
      ['T01', 'cashier-T01', 'settled', 1000],
      ['T02', 'cashier-T02', 'settled', 1100],
      ['T03', 'cashier-T03', 'settled', 1200],
    ]);
    const csv = await gcterm(['hub', 'report', '--db', db, '--csv'], {});
    expect(csv.stdout.split('\r\n')[0]).toBe('store,terminal,cashier,state,offline,count,amount_fen,amount_yuan,shortfall_fen');

    const terminals = JSON.parse((await gcterm(['--json', 'hub', 'terminals', '--db', db], {})).stdout) as Array<{ terminalId: string; lastSeenAt: string | null; headSeq: number; version: string }>;
    expect(terminals.map((t) => t.terminalId)).toEqual(['T01', 'T02', 'T03']);
    for (const t of terminals) {
      expect(t.lastSeenAt).not.toBeNull();
      expect(t.headSeq).toBeGreaterThan(0);
      expect(t.version).toMatch(/^\d+\.\d+/);
    }
  });

  it('with the hub stopped nothing is sent to WeChat and the offline rules apply; the queue replays exactly once when it is back', async () => {
    const card = await giftCard(50_000);
    expect((await run('T01', 'lookup', card.code)).code).toBe(0);
    await hub.stop();
    try {
      await sim.clearRequests();
      const queued = await run('T01', 'redeem', card.code, '20');
      expect(JSON.parse(queued.stdout)).toMatchObject({ state: 'queued', offline: true });
      const refused = await run('T01', 'redeem', card.code, '300');
      expect(JSON.parse(refused.stdout)).toMatchObject({ state: 'declined' });
      expect((await sim.requests()).filter((r) => r.path.includes('updateuser') || r.path.includes('token'))).toEqual([]);
    } finally {
      hub = await startHubProcess(environment, hubPort);
    }
    const replay = await run('T01', 'replay');
    expect(replay.code).toBe(0);
    expect(JSON.parse(replay.stdout)).toMatchObject({ settled: 1, remaining: 0 });
    expect(await run('T01', 'replay').then((r) => JSON.parse(r.stdout))).toMatchObject({ settled: 0, remaining: 0 });
    const after = await sim.code(card.code);
    expect(after.balanceFen).toBe(48_000);
    expect(deductions(after)).toHaveLength(1);
  });

  it('a revoked counter is refused at once: nothing it asks for reaches WeChat', async () => {
    const card = await giftCard(10_000);
    expect((await run('T03', 'lookup', card.code)).code).toBe(0);
    const revoked = await gcterm(['hub', 'revoke', 'T03', '--db', db], {});
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain('已撤销 T03');
    await sim.clearRequests();
    const attempt = await run('T03', 'redeem', card.code, '5');
    // Declined, never queued offline: a revoked PC must not keep taking cards.
    expect(JSON.parse(attempt.stdout)).toMatchObject({ state: 'declined', reason: 'hub_refused' });
    expect((await sim.requests()).filter((r) => r.path.includes('updateuser'))).toEqual([]);
    expect((await sim.code(card.code)).balanceFen).toBe(10_000);
    // Revoking twice says so.
    const again = await gcterm(['hub', 'revoke', 'T03', '--db', db], {});
    expect(again.code).toBe(1);
  });

  it("a counter whose journal lost its tail is noticed by the hub", async () => {
    const dataDir = await enrolCounter(hub.url, db, 'T09', { GCTERM_API_BASE: sim.url });
    const enrolment = readHubEnrolment(dataDir);
    if (!enrolment) throw new Error('not enrolled');
    const journal = openJournal(join(mkdtempSync(join(tmpdir(), 'gcterm-tail-')), 'journal.db'));
    try {
      for (let i = 0; i < 5; i++) appendEvent(journal, { redemptionId: null, kind: 'note', data: { i } });
      const sync = new JournalSync(journal, new HubClient(enrolment));
      await sync.push();
      expect(sync.status()).toMatchObject({ headSeq: 5, pending: 0, problem: null });
      // The last two events vanish (a restored old backup, a disk that lost its tail).
      journal.prepare('DELETE FROM events WHERE seq > 3').run();
      await sync.push();
      expect(sync.status().problem).toMatch(/lost its tail/);
      const listed = JSON.parse((await gcterm(['--json', 'hub', 'terminals', '--db', db], {})).stdout) as Array<{ terminalId: string; journalProblem: string | null }>;
      expect(listed.find((t) => t.terminalId === 'T09')?.journalProblem).toMatch(/hub holds events up to 5, the counter only up to 3/);
    } finally {
      journal.close();
    }
  });

  it('bad commands: a wrong enrolment code, a missing database, a database newer than the code', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gcterm-bad-'));
    const wrong = await gcterm(['enrol', hub.url, 'AAAAA-BBBBB-CCCCC-DDDDD'], { GCTERM_DATA_DIR: dataDir });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/enrolment code is unknown, used or expired \/ 登记码无效/);
    const noDb = await gcterm(['hub', 'terminals'], {});
    expect(noDb.code).toBe(1);
    expect(noDb.stderr).toContain('--db');
    const newer = await postgres.createDatabase('newer');
    const pg = await import('pg');
    const client = new pg.default.Client(newer);
    await client.connect();
    await client.query('CREATE TABLE hub_schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
    await client.query("INSERT INTO hub_schema_migrations (version, name) VALUES (99, 'from the future')");
    await client.end();
    const refused = await gcterm(['hub', 'serve', '--db', newer, '--port', '0'], {});
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/schema version 99, newer than this gcterm.*数据库版本比本程序新/);
    const insecure = await gcterm(['hub', 'serve', '--db', db, '--host', '0.0.0.0', '--port', '0'], {});
    expect(insecure.code).toBe(1);
    expect(insecure.stderr).toMatch(/--tls-cert.*--allow-insecure/);
  });
});
