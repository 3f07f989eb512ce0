/**
 * The WeChat client against the real simulator (and a mangling proxy in front of it): every way an
 * answer can go wrong becomes the WeChatError kind the money path decides on. `unreachable`: the
 * request never arrived, nothing applied. `unknown`: it may have been applied, a write is read
 * back. An answer of the wrong shape is never money.
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX_APPID, SANDBOX_SECRET } from '../../src-main/sim/index.ts';
import { createHttp, createWeChatClient, type Exchange, type WeChatClient } from '../../src-main/wechat/client.ts';
import { reasonForError, WeChatError } from '../../src-main/wechat/errors.ts';
import { appSecretTokenProvider } from '../../src-main/wechat/tokens.ts';
import { deductions, startTestSim, type TestSim } from '../helpers/sim.ts';
import { MANGLES, startManglingProxy, type Mangle, type ManglingProxy } from './mangling-proxy.ts';

let sim: TestSim;
let proxy: ManglingProxy;

beforeAll(async () => {
  sim = await startTestSim();
});
afterAll(async () => {
  await sim.close();
});
beforeEach(async () => {
  proxy = await startManglingProxy(sim.url);
  await sim.clearFaults();
  await sim.clearRequests();
});
afterEach(async () => {
  await proxy.close();
});

function clientFor(baseURL: string, timeoutMs = 2_000): WeChatClient {
  // Tokens come straight from the simulator: only the card call under test goes through the proxy.
  const tokens = appSecretTokenProvider(createHttp(sim.url, 2_000), { appid: SANDBOX_APPID, secret: SANDBOX_SECRET });
  return createWeChatClient({ baseURL, timeoutMs, tokens });
}

async function failureOf(promise: Promise<unknown>): Promise<WeChatError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof WeChatError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const giftCard = (balanceFen: number) => sim.createCard({ balanceFen });

describe('a lookup answered with something that is not a lookup answer', () => {
  it.each<[string, Mangle]>([
    ['an HTML error page (not JSON)', MANGLES.html],
    ['truncated JSON', MANGLES.truncated],
    ['a balance given as a string', MANGLES.balanceAsString],
    ['a fractional balance', MANGLES.fractionalBalance],
    ['JSON null', MANGLES.nullBody],
  ])('%s is a bad answer: outcome unknown, never a balance, not "offline"', async (_what, mangle) => {
    const card = await giftCard(50_000);
    proxy.mangle('/card/code/get', mangle, 1);
    const exchanges: Exchange[] = [];
    const error = await failureOf(clientFor(proxy.url).getCode({ code: card.code }, (e) => exchanges.push(e)));
    expect(proxy.mangled()).toBe(1);
    expect(error.failure.kind).toBe('unknown');
    expect(error.outcomeUnknown).toBe(true);
    // The service answered: this is not the network being down, so offline rules do not apply.
    expect(error.apiUnavailable).toBe(false);
    expect(reasonForError(error)).toBe('bad_answer');
    // The journal still gets a trace of the exchange.
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0]?.path).toBe('/card/code/get');
  });

  it('the same lookup through the proxy unmangled works (the proxy itself is transparent)', async () => {
    const card = await giftCard(12_345);
    const answer = await clientFor(proxy.url).getCode({ code: card.code });
    expect(answer.card.balance).toBe(12_345);
    expect(proxy.mangled()).toBe(0);
  });
});

describe('a write whose answer is mangled', () => {
  it('is an unknown outcome although the simulator applied it (so the engine must read back)', async () => {
    const card = await giftCard(50_000);
    proxy.mangle('/card/generalcard/updateuser', MANGLES.truncated, 1);
    const error = await failureOf(
      clientFor(proxy.url).updateUser({ code: card.code, cardId: card.cardId, balanceFen: 46_450, recordBalance: '门店消费35.50元' }),
    );
    expect(error.failure.kind).toBe('unknown');
    expect(error.outcomeUnknown).toBe(true);
    const after = await sim.code(card.code);
    expect(after.balanceFen).toBe(46_450);
    expect(deductions(after)).toHaveLength(1);
  });
});

describe('transport failures', () => {
  it('HTTP 500 from a gateway: outcome unknown, API unavailable', async () => {
    const card = await giftCard(50_000);
    await sim.fault({ path: '/card/code/get', kind: 'http500', times: 1 });
    const error = await failureOf(clientFor(sim.url).getCode({ code: card.code }));
    expect(error.failure).toMatchObject({ kind: 'unknown', detail: 'HTTP 500' });
    expect(error.outcomeUnknown).toBe(true);
    expect(error.apiUnavailable).toBe(true);
    expect(reasonForError(error)).toBe('network_unavailable');
  });

  it('connection refused: unreachable, nothing can have been applied', async () => {
    const port = await closedPort();
    const error = await failureOf(clientFor(`http://127.0.0.1:${port}`).getCode({ code: '688000000001' }));
    expect(error.failure.kind).toBe('unreachable');
    expect(error.outcomeUnknown).toBe(false);
    expect(error.apiUnavailable).toBe(true);
    expect(reasonForError(error)).toBe('network_unavailable');
  });

  it('a timeout: outcome unknown (the request may have landed), API unavailable', async () => {
    const card = await giftCard(50_000);
    await sim.fault({ path: '/card/generalcard/updateuser', kind: 'latency', latencyMs: 600, times: 1 });
    const error = await failureOf(
      clientFor(sim.url, 150).updateUser({ code: card.code, cardId: card.cardId, balanceFen: 40_000, recordBalance: '门店消费100.00元' }),
    );
    expect(error.failure.kind).toBe('unknown');
    expect(error.outcomeUnknown).toBe(true);
    expect(error.apiUnavailable).toBe(true);
    expect(error.message).not.toMatch(/access_token=[^*]/);
  });

  it('the connection dropped after the write applied: outcome unknown', async () => {
    const card = await giftCard(50_000);
    await sim.fault({ path: '/card/generalcard/updateuser', kind: 'drop-after-apply', times: 1 });
    const error = await failureOf(
      clientFor(sim.url).updateUser({ code: card.code, cardId: card.cardId, balanceFen: 40_000, recordBalance: '门店消费100.00元' }),
    );
    expect(error.failure.kind).toBe('unknown');
    expect(error.outcomeUnknown).toBe(true);
    expect((await sim.code(card.code)).balanceFen).toBe(40_000);
  });
});

describe('errcodes', () => {
  it('40056 is a decline of this card, not an outage', async () => {
    const error = await failureOf(clientFor(sim.url).getCode({ code: '688999999999' }));
    expect(error.failure).toMatchObject({ kind: 'api', errcode: 40056 });
    expect(error.outcomeUnknown).toBe(false);
    expect(error.apiUnavailable).toBe(false);
    expect(reasonForError(error)).toBe('card_unknown');
  });

  it('-1 system busy: outcome unknown and the API counts as unavailable', async () => {
    const card = await giftCard(50_000);
    await sim.fault({ path: '/card/generalcard/updateuser', kind: 'busy-after-apply', times: 1 });
    const error = await failureOf(
      clientFor(sim.url).updateUser({ code: card.code, cardId: card.cardId, balanceFen: 40_000, recordBalance: '门店消费100.00元' }),
    );
    expect(error.errcode).toBe(-1);
    expect(error.outcomeUnknown).toBe(true);
    expect(error.apiUnavailable).toBe(true);
    expect(reasonForError(error)).toBe('service_busy');
  });

  it('45009 daily quota: the API is unavailable, nothing applied', async () => {
    const card = await giftCard(50_000);
    await sim.fault({ path: '/card/generalcard/updateuser', kind: 'quota', times: 1 });
    const error = await failureOf(
      clientFor(sim.url).updateUser({ code: card.code, cardId: card.cardId, balanceFen: 40_000, recordBalance: '门店消费100.00元' }),
    );
    expect(error.errcode).toBe(45009);
    expect(error.outcomeUnknown).toBe(false);
    expect(error.apiUnavailable).toBe(true);
    expect(reasonForError(error)).toBe('quota_reached');
    expect((await sim.code(card.code)).balanceFen).toBe(50_000);
  });
});
