/**
 * The store hub's API over real HTTP on a real PostgreSQL (a throwaway cluster), with the counters'
 * own client: enrolment, authentication and bad input, leases and fencing, dynamic-code claims,
 * the one token source (two hub processes on one database), revocation.
 */
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axios from 'axios';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrolWithHub, HubClient, hubGuard, HubRefusedError, hubTokenProvider, readHubEnrolment } from '../../src-main/hub/client.ts';
import { enrolmentCodeHash, newEnrolmentCode, newKeyPair, signer } from '../../src-main/hub/protocol.ts';
import { startHub, type RunningHub } from '../../src-main/hub/server.ts';
import { HubStore } from '../../src-main/hub/store.ts';
import { CardBusyError, CardHoldLostError, GuardUnavailableError } from '../../src-main/redemption/guard.ts';
import { SANDBOX_APPID, SANDBOX_SECRET } from '../../src-main/sim/index.ts';
import { createHttp } from '../../src-main/wechat/client.ts';
import { appSecretTokenProvider } from '../../src-main/wechat/tokens.ts';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { startTestSim, type TestSim } from '../helpers/sim.ts';

let postgres: TestPostgres;
let sim: TestSim;

beforeAll(async () => {
  [postgres, sim] = await Promise.all([startTestPostgres(), startTestSim()]);
});
afterAll(async () => {
  await sim?.close();
  await postgres?.close();
});

async function hubOn(db: string, withTokens = true): Promise<RunningHub> {
  return startHub({
    db,
    port: 0,
    poolSize: 8,
    tokens: withTokens ? () => appSecretTokenProvider(createHttp(sim.url, 5000), { appid: SANDBOX_APPID, secret: SANDBOX_SECRET }) : null,
  });
}

async function enrol(hub: RunningHub, terminalId: string, store = 'S1'): Promise<HubClient> {
  const code = newEnrolmentCode();
  await hub.store.createEnrolment(terminalId, store, enrolmentCodeHash(code));
  const dataDir = mkdtempSync(join(tmpdir(), `gcterm-${terminalId}-`));
  await enrolWithHub(dataDir, hub.url, code);
  const enrolment = readHubEnrolment(dataDir);
  if (!enrolment) throw new Error('not enrolled');
  return new HubClient(enrolment);
}

const query = async <T extends pg.QueryResultRow>(db: string, sql: string, params: unknown[] = []) => {
  const client = new pg.Client(db);
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
};

describe('enrolment', () => {
  it('a code works once, within 15 minutes, and only its hash is stored; the key file is private', async () => {
    const db = await postgres.createDatabase('enrol');
    const hub = await hubOn(db, false);
    try {
      const code = newEnrolmentCode();
      await hub.store.createEnrolment('T01', 'S1', enrolmentCodeHash(code));
      const stored = await query<{ code_hash: string }>(db, 'SELECT code_hash FROM hub_enrolments');
      expect(stored.map((r) => r.code_hash)).not.toContain(code);
      const dataDir = mkdtempSync(join(tmpdir(), 'gcterm-enrol-'));
      const enrolled = await enrolWithHub(dataDir, hub.url, code.toLowerCase());
      expect(enrolled).toMatchObject({ terminalId: 'T01', storeId: 'S1' });
      expect(statSync(join(dataDir, 'hub.json')).mode & 0o777).toBe(0o600);
      // The hub keeps the public half only.
      const keys = await query<{ public_key: string }>(db, 'SELECT public_key FROM hub_terminals');
      expect(keys[0]?.public_key).toContain('PUBLIC KEY');
      expect(readFileSync(join(dataDir, 'hub.json'), 'utf8')).toContain('PRIVATE KEY');
      // Used once: a second counter with the same code is refused, in both languages.
      await expect(enrolWithHub(mkdtempSync(join(tmpdir(), 'gcterm-enrol-')), hub.url, code)).rejects.toThrow(/enrolment code is unknown, used or expired \/ 登记码无效/);
      // Expired: a code issued with no validity left is refused.
      const late = newEnrolmentCode();
      await hub.store.createEnrolment('T02', 'S1', enrolmentCodeHash(late), 0);
      await expect(enrolWithHub(mkdtempSync(join(tmpdir(), 'gcterm-enrol-')), hub.url, late)).rejects.toThrow(/expired/);
    } finally {
      await hub.close();
    }
  });
});

describe('bad input to the hub', () => {
  it('unauthenticated, forged, replayed, stale, malformed, 10 MB and stale-fence requests are refused with a clear message, and nothing changes', async () => {
    const db = await postgres.createDatabase('bad');
    const hub = await hubOn(db, false);
    try {
      const t01 = await enrol(hub, 'T01');
      const guard = hubGuard(t01, { ttlMs: 10_000 });
      const hold = await guard.acquire({ key: 'CARD-1', redemptionId: 'r1', purpose: 'redeem', waitMs: 0 });
      const snapshot = () => query(db, 'SELECT card_key, fence, terminal_id, expires_at, released FROM hub_leases ORDER BY card_key');
      const before = await snapshot();
      const raw = axios.create({ baseURL: hub.url, validateStatus: () => true, proxy: false, transformRequest: [(data: unknown) => data] });
      const acquireBody = JSON.stringify({ key: 'CARD-1', redemptionId: 'evil', purpose: 'redeem', waitMs: 0, ttlMs: 10_000 });

      // Unauthenticated: no signature at all.
      const anonymous = await raw.post('/v1/leases/acquire', acquireBody, { headers: { 'content-type': 'application/json' } });
      expect(anonymous.status).toBe(401);
      expect(anonymous.data).toMatchObject({ error: 'unauthenticated', messageZh: expect.stringContaining('签名') });

      // Forged: signed with a key the hub never saw, claiming to be T01.
      const forger = signer('T01', newKeyPair().privateKeyPem);
      const forged = await raw.post('/v1/leases/acquire', acquireBody, { headers: { ...forger('POST', '/v1/leases/acquire', acquireBody), 'content-type': 'application/json' } });
      expect(forged.status).toBe(401);
      expect(forged.data.error).toBe('forged');

      // Replayed: a genuine signed request sent twice.
      const genuine = signer('T01', t01.enrolment.privateKeyPem);
      const releaseBody = JSON.stringify({ key: 'CARD-1', fence: hold.fence });
      const headers = { ...genuine('POST', '/v1/leases/release', releaseBody), 'content-type': 'application/json' };
      // A tampered body under a genuine signature is a forgery.
      const tampered = await raw.post('/v1/leases/release', JSON.stringify({ key: 'CARD-1', fence: hold.fence + 1 }), { headers });
      expect(tampered.data.error).toBe('forged');
      const pingHeaders = genuine('GET', '/v1/ping', '');
      expect((await raw.get('/v1/ping', { headers: pingHeaders })).status).toBe(200);
      const replay = await raw.get('/v1/ping', { headers: pingHeaders });
      expect(replay.status).toBe(401);
      expect(replay.data).toMatchObject({ error: 'replayed', message: expect.stringContaining('replayed') });

      // Outside the clock window.
      const stale = signer('T01', t01.enrolment.privateKeyPem, () => Date.now() - 10 * 60_000)('GET', '/v1/ping', '');
      expect((await raw.get('/v1/ping', { headers: stale })).data.error).toBe('replayed');

      // Malformed: not JSON, and JSON of the wrong shape (a negative wait, an unknown field).
      for (const body of ['{not json', JSON.stringify({ key: 'CARD-1', redemptionId: 'x', purpose: 'redeem', waitMs: -5, ttlMs: 10_000 }), JSON.stringify({ key: 'CARD-1', fence: 1, extra: true })]) {
        const path = body.includes('fence') ? '/v1/leases/release' : '/v1/leases/acquire';
        const answer = await raw.post(path, body, { headers: { ...genuine('POST', path, body), 'content-type': 'application/json' } });
        expect(answer.status).toBe(400);
        expect(answer.data).toMatchObject({ error: 'malformed', messageZh: '请求格式错误' });
      }

      // 10 MB: refused before it is read.
      const huge = JSON.stringify({ key: 'x'.repeat(10 * 1024 * 1024) });
      const large = await raw.post('/v1/leases/acquire', huge, { headers: { ...genuine('POST', '/v1/leases/acquire', huge), 'content-type': 'application/json' }, maxBodyLength: Infinity });
      expect(large.status).toBe(413);
      expect(large.data.error).toBe('too_large');

      // A stale fencing number: renew/observe under a fence that is not the card's current one.
      const staleFence = await t01.call('POST', '/v1/leases/observe', { key: 'CARD-1', fence: hold.fence + 1000, balanceBeforeFen: 1 });
      expect(staleFence.status).toBe(409);
      expect(staleFence.data).toMatchObject({ error: 'stale_fence', messageZh: expect.stringContaining('栅栏') });

      expect(await snapshot()).toEqual(before);
      // Each refusal left a trace.
      const audit = await query<{ error: string }>(db, 'SELECT error FROM hub_audit ORDER BY id');
      expect(audit.map((a) => a.error)).toEqual(expect.arrayContaining(['unauthenticated', 'forged', 'replayed', 'malformed', 'too_large', 'stale_fence']));
      // And the hub still serves the genuine holder.
      await hold.release();
      expect((await snapshot())[0]).toMatchObject({ released: true });
    } finally {
      await hub.close();
    }
  });

  it('a revoked counter is refused on its very next request', async () => {
    const db = await postgres.createDatabase('revoke');
    const hub = await hubOn(db, false);
    try {
      const t01 = await enrol(hub, 'T01');
      const guard = hubGuard(t01);
      const hold = await guard.acquire({ key: 'CARD-R', redemptionId: 'r1', purpose: 'redeem', waitMs: 0 });
      expect(await new HubStore(hub.store.pool).revoke('T01')).toBe(true);
      const error = await hold.renew().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HubRefusedError);
      expect(String((error as Error).message)).toMatch(/revoked at the hub \/ 此收银台已被门店中心撤销/);
      await expect(guard.acquire({ key: 'CARD-S', redemptionId: 'r2', purpose: 'redeem', waitMs: 0 })).rejects.toBeInstanceOf(GuardUnavailableError);
      expect(t01.link.status.state).toBe('refused');
      expect(await query(db, "SELECT 1 FROM hub_leases WHERE card_key = 'CARD-S'")).toHaveLength(0);
    } finally {
      await hub.close();
    }
  });
});

describe('leases: one writer per card', () => {
  it('a second counter waits a bounded time and is told which counter holds the card; fences grow; a stale holder is refused', async () => {
    const db = await postgres.createDatabase('lease');
    const hub = await hubOn(db, false);
    try {
      const [t01, t02] = [await enrol(hub, 'T01'), await enrol(hub, 'T02')];
      const g1 = hubGuard(t01, { ttlMs: 10_000 });
      const g2 = hubGuard(t02, { ttlMs: 10_000 });
      const first = await g1.acquire({ key: 'CARD-A', redemptionId: 'a1', purpose: 'redeem', waitMs: 0 });
      expect(first.remainingMs()).toBeGreaterThan(9000);
      const started = Date.now();
      const busy = await g2.acquire({ key: 'CARD-A', redemptionId: 'b1', purpose: 'redeem', waitMs: 400 }).catch((e: unknown) => e);
      expect(busy).toBeInstanceOf(CardBusyError);
      expect((busy as CardBusyError).holder).toBe('counter T01');
      expect(Date.now() - started).toBeGreaterThanOrEqual(390);
      // Another card is not affected.
      const other = await g2.acquire({ key: 'CARD-B', redemptionId: 'b2', purpose: 'redeem', waitMs: 0 });
      await other.release();
      // A waiter gets the card as soon as it is released, with a larger fence.
      const waiting = g2.acquire({ key: 'CARD-A', redemptionId: 'b3', purpose: 'redeem', waitMs: 5000 });
      await first.observe({ balanceBeforeFen: 10_000, balanceSetFen: 6_500 });
      await first.release();
      const second = await waiting;
      expect(second.fence).toBeGreaterThan(first.fence);
      // The released holder can no longer act under its old fence.
      await expect(first.renew()).rejects.toBeInstanceOf(CardHoldLostError);
      await second.release();
    } finally {
      await hub.close();
    }
  });

  it('a holder that stops renewing (its process died) stops blocking after the TTL; the next holder learns what it saw and set', async () => {
    const db = await postgres.createDatabase('ttl');
    const hub = await hubOn(db, false);
    try {
      const [t01, t02] = [await enrol(hub, 'T01'), await enrol(hub, 'T02')];
      // Acquired by raw calls: no background renewal, like a process killed right after.
      const granted = await t01.call('POST', '/v1/leases/acquire', { key: 'CARD-K', redemptionId: 'k1', purpose: 'redeem', waitMs: 0, ttlMs: 1500 });
      const fence = (granted.data as { fence: number }).fence;
      await t01.call('POST', '/v1/leases/observe', { key: 'CARD-K', fence, balanceBeforeFen: 8000, balanceSetFen: 5000 });
      const started = Date.now();
      const next = await t02.call('POST', '/v1/leases/acquire', { key: 'CARD-K', redemptionId: 'k2', purpose: 'recover', waitMs: 10_000, ttlMs: 5000 });
      const waited = Date.now() - started;
      expect(next.status).toBe(200);
      expect(waited).toBeLessThan(5000);
      expect(next.data).toMatchObject({ previous: { terminalId: 'T01', redemptionId: 'k1', balanceBeforeFen: 8000, balanceSetFen: 5000 } });
      // The dead holder's late write is refused: its fence is stale.
      const late = await t01.call('POST', '/v1/leases/renew', { key: 'CARD-K', fence, ttlMs: 5000 });
      expect(late.status).toBe(409);
    } finally {
      await hub.close();
    }
  });

  it('two hub processes on one database: still one holder at a time, and a release at one wakes a waiter at the other', async () => {
    const db = await postgres.createDatabase('twohubs');
    const hubA = await hubOn(db, false);
    const hubB = await hubOn(db, false);
    try {
      const t01 = await enrol(hubA, 'T01');
      const t02 = await enrol(hubA, 'T02');
      const onB = new HubClient({ ...t02.enrolment, url: hubB.url });
      const g1 = hubGuard(t01, { ttlMs: 10_000 });
      const g2 = hubGuard(onB, { ttlMs: 10_000 });
      const first = await g1.acquire({ key: 'CARD-2H', redemptionId: 'x1', purpose: 'redeem', waitMs: 0 });
      await expect(g2.acquire({ key: 'CARD-2H', redemptionId: 'y1', purpose: 'redeem', waitMs: 200 })).rejects.toBeInstanceOf(CardBusyError);
      const waiting = g2.acquire({ key: 'CARD-2H', redemptionId: 'y2', purpose: 'redeem', waitMs: 5000 });
      const released = Date.now();
      await first.release();
      const second = await waiting;
      // Woken by NOTIFY, not by the TTL.
      expect(Date.now() - released).toBeLessThan(1500);
      expect(second.fence).toBeGreaterThan(first.fence);
      await second.release();
      // Many concurrent acquisitions on one card through both hubs: never two holders at once.
      let holders = 0;
      let maxHolders = 0;
      await Promise.all(
        Array.from({ length: 12 }, async (_, i) => {
          const guard = i % 2 === 0 ? g1 : g2;
          const hold = await guard.acquire({ key: 'CARD-2H', redemptionId: `z${i}`, purpose: 'redeem', waitMs: 20_000 });
          holders++;
          maxHolders = Math.max(maxHolders, holders);
          await new Promise((resolve) => setTimeout(resolve, 20));
          holders--;
          await hold.release();
        }),
      );
      expect(maxHolders).toBe(1);
    } finally {
      await hubA.close();
      await hubB.close();
    }
  });
});

describe('dynamic codes', () => {
  it('a dynamic code used at one counter is refused at every other, and given back when nothing moved', async () => {
    const db = await postgres.createDatabase('dynamic');
    const hub = await hubOn(db, false);
    try {
      const [t01, t02] = [await enrol(hub, 'T01'), await enrol(hub, 'T02')];
      const [g1, g2] = [hubGuard(t01), hubGuard(t02)];
      expect(await g1.claimDynamicCode?.('DYN-123', 'r1')).toBe('claimed');
      expect(await g1.claimDynamicCode?.('DYN-123', 'r1')).toBe('claimed');
      expect(await g2.claimDynamicCode?.('DYN-123', 'r2')).toBe('replay');
      await g1.releaseDynamicCode?.('DYN-123', 'r1');
      expect(await g2.claimDynamicCode?.('DYN-123', 'r2')).toBe('claimed');
    } finally {
      await hub.close();
    }
  });
});

describe('one token source', () => {
  it('counters on two hub processes share one WeChat fetch; a burst of refusals of one token causes one refresh', async () => {
    const db = await postgres.createDatabase('tokens');
    const hubA = await hubOn(db);
    const hubB = await hubOn(db);
    try {
      const t01 = await enrol(hubA, 'T01');
      const t02 = await enrol(hubA, 'T02');
      const onB = new HubClient({ ...t02.enrolment, url: hubB.url });
      await sim.clearRequests();
      const providers = [hubTokenProvider(t01), hubTokenProvider(onB), hubTokenProvider(t01), hubTokenProvider(onB)];
      const tokens = await Promise.all(providers.flatMap((p) => [p.getToken(), p.getToken(), p.getToken()]));
      expect(new Set(tokens).size).toBe(1);
      const fetches = () => sim.requests().then((log) => log.filter((r) => r.path.includes('token')).length);
      expect(await fetches()).toBe(1);
      // Every counter reports the same token refused at once: one refresh.
      const refused = tokens[0] ?? '';
      const answers = await Promise.all([t01, onB, t01, onB].map((c) => c.call('POST', '/v1/token/refused', { token: refused })));
      expect(answers.filter((a) => (a.data as { refreshed: boolean }).refreshed)).toHaveLength(1);
      await Promise.all(providers.map((p) => p.getToken()));
      const fresh = await Promise.all([hubTokenProvider(t01).getToken(), hubTokenProvider(onB).getToken()]);
      expect(new Set(fresh).size).toBe(1);
      expect(fresh[0]).not.toBe(refused);
      // One forced refresh for the whole burst (WeChat limits force_refresh), not one per counter or per hub.
      const forced = (await sim.requests()).filter((r) => r.path.includes('stable_token') && (r.body as { force_refresh?: boolean }).force_refresh === true);
      expect(forced).toHaveLength(1);
      // A late report about the old token, after the refresh, changes nothing.
      const late = await t01.call('POST', '/v1/token/refused', { token: refused });
      expect((late.data as { refreshed: boolean }).refreshed).toBe(false);
    } finally {
      await hubA.close();
      await hubB.close();
    }
  });
});
