import { beforeEach, describe, expect, it } from 'vitest';
import { DEMO } from '../../src-main/sim/index.ts';
import { useSim, type Json, type SimClient } from './helpers.ts';

const current = useSim();
let client: SimClient;
let token: string;

const UPDATE = '/card/generalcard/updateuser';
const card = DEMO.giftCard500;

beforeEach(async () => {
  client = current();
  token = await client.token();
});

const addFault = async (fault: Json) => {
  const reply = await client.admin('POST', '/sim/faults', fault);
  expect(reply.status).toBe(200);
  return reply.body;
};
const update = (balance: number) => client.wechat(UPDATE, { code: card.code, card_id: card.cardId, balance, record_balance: 'test' }, token);
const stored = async () => (await client.admin('GET', `/sim/codes/${card.code}`)).body;

describe('injected faults', () => {
  it('latency delays the answer, which is otherwise normal', async () => {
    await addFault({ path: UPDATE, kind: 'latency', latencyMs: 300 });
    const started = performance.now();
    const reply = await update(40_000);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(reply.body['result_balance']).toBe(40_000);
  });

  it('drop-after-apply: the client sees a socket error, yet the write was applied', async () => {
    await addFault({ path: UPDATE, kind: 'drop-after-apply', times: 1 });
    await expect(update(40_000)).rejects.toThrow(/fetch failed/);
    expect(await stored()).toMatchObject({ balanceFen: 40_000, history: [{ kind: 'updateuser', balanceFen: 40_000 }] });
    // Only once: the next request is answered.
    expect((await update(40_000)).body['result_balance']).toBe(40_000);
  });

  it('busy-before-apply answers -1 and writes nothing', async () => {
    await addFault({ path: UPDATE, kind: 'busy-before-apply' });
    const reply = await update(40_000);
    expect(reply.status).toBe(200);
    expect(reply.body['errcode']).toBe(-1);
    expect(await stored()).toMatchObject({ balanceFen: 50_000, history: [] });
  });

  it('busy-after-apply answers -1 although the write was applied', async () => {
    await addFault({ path: UPDATE, kind: 'busy-after-apply' });
    expect((await update(40_000)).body['errcode']).toBe(-1);
    expect((await stored())['balanceFen']).toBe(40_000);
  });

  it.each([
    [{ kind: 'quota' }, 45009],
    [{ kind: 'rate-limit' }, 45011],
    [{ kind: 'errcode', errcode: 48001 }, 48001],
    [{ kind: 'errcode', errcode: 43010 }, 43010],
    [{ kind: 'errcode', errcode: 40014 }, 40014],
    [{ kind: 'errcode', errcode: 12345 }, 12345],
  ])('%j answers errcode %i without applying', async (fault, errcode) => {
    await addFault({ path: UPDATE, ...fault });
    const reply = await update(40_000);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ errcode, errmsg: expect.any(String) });
    expect((await stored())['balanceFen']).toBe(50_000);
  });

  it('http500 answers HTTP 500 with a non-JSON body', async () => {
    await addFault({ path: UPDATE, kind: 'http500' });
    const reply = await update(40_000);
    expect(reply.status).toBe(500);
    expect(() => JSON.parse(reply.text) as unknown).toThrow();
    expect((await stored())['balanceFen']).toBe(50_000);
  });

  it('`times` limits the hits; other paths are untouched; GET /sim/faults counts hits', async () => {
    const fault = await addFault({ path: UPDATE, kind: 'quota', times: 2 });
    expect((await client.wechat('/card/code/get', { code: card.code }, token)).body['errcode']).toBe(0);
    expect((await update(1)).body['errcode']).toBe(45009);
    expect((await update(2)).body['errcode']).toBe(45009);
    expect((await update(3)).body['errcode']).toBe(0);
    expect((await client.admin('GET', '/sim/faults')).body).toEqual({ value: [{ ...fault, hits: 2 }] });
  });

  it('path * hits every WeChat path, token endpoints included; DELETE /sim/faults clears', async () => {
    await addFault({ path: '*', kind: 'rate-limit' });
    expect((await client.wechat('/card/code/get', { code: card.code }, token)).body['errcode']).toBe(45011);
    expect((await client.wechat('/cgi-bin/stable_token', {})).body['errcode']).toBe(45011);
    // The admin API is never faulted.
    expect((await client.admin('GET', '/sim/faults')).status).toBe(200);
    expect((await client.admin('DELETE', '/sim/faults')).body).toEqual({ cleared: 1 });
    expect((await client.wechat('/card/code/get', { code: card.code }, token)).body['errcode']).toBe(0);
  });

  it('latency adds to another fault; the first registered of the others acts', async () => {
    await addFault({ path: UPDATE, kind: 'latency', latencyMs: 200 });
    await addFault({ path: UPDATE, kind: 'quota', times: 1 });
    await addFault({ path: UPDATE, kind: 'rate-limit', times: 1 });
    const started = performance.now();
    expect((await update(1)).body['errcode']).toBe(45009);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect((await update(1)).body['errcode']).toBe(45011);
    expect((await update(1)).body['errcode']).toBe(0);
  });

  it('probability 0 never hits, probability 1 always does', async () => {
    await addFault({ path: UPDATE, kind: 'quota', probability: 0 });
    expect((await update(1)).body['errcode']).toBe(0);
    await client.admin('DELETE', '/sim/faults');
    await addFault({ path: UPDATE, kind: 'quota', probability: 1 });
    expect((await update(1)).body['errcode']).toBe(45009);
  });

  it.each([
    [{ path: '/card/code/gte', kind: 'quota' }],
    [{ path: UPDATE, kind: 'explode' }],
    [{ path: UPDATE, kind: 'latency' }],
    [{ path: UPDATE, kind: 'errcode' }],
    [{ path: UPDATE, kind: 'errcode', errcode: 0 }],
    [{ path: UPDATE, kind: 'quota', times: 0 }],
    [{ path: UPDATE, kind: 'quota', probability: 2 }],
    [{ path: UPDATE, kind: 'quota', extra: true }],
  ])('refuses the fault %j with HTTP 400', async (fault) => {
    const reply = await client.admin('POST', '/sim/faults', fault);
    expect(reply.status).toBe(400);
    expect(reply.body['error']).toEqual(expect.any(String));
  });

  it('closing the simulator does not wait for a pending latency fault', async () => {
    await addFault({ path: UPDATE, kind: 'latency', latencyMs: 60_000 });
    const pending = update(1).catch(() => 'dropped');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    await client.sim.close();
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(await pending).toBe('dropped');
  });
});
