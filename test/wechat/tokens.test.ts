/**
 * Token providers against the real simulator (docs/wechat-api.md, "access_token"): the AppSecret
 * path uses cgi-bin/stable_token only, tokens are cached until 5 minutes before expiry, a refused
 * token is refreshed once and retried once, then fails loudly; the relay keeps the AppSecret off
 * the PC; the third-party path saves every rotated refresh token before using the access token.
 * Each test gets its own simulator: they move its clock and spend its force_refresh allowance.
 */
import { join } from 'node:path';
import type { AxiosInstance } from 'axios';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getSecret, putSecret } from '../../src-main/journal/cards.ts';
import { openJournal, type Db } from '../../src-main/journal/db.ts';
import { DEMO, DEMO_MERCHANT_ID, SANDBOX_APPID, SANDBOX_COMPONENT, SANDBOX_SECRET } from '../../src-main/sim/index.ts';
import type { Terminal } from '../../src-main/terminal.ts';
import { createHttp, createWeChatClient, type WeChatClient } from '../../src-main/wechat/client.ts';
import { reasonForError, TokenError, WeChatError } from '../../src-main/wechat/errors.ts';
import {
  appSecretTokenProvider,
  componentTokenProvider,
  relayTokenProvider,
  staticTokenProvider,
  TOKEN_MARGIN_MS,
  type RefreshTokenStore,
  type TokenProvider,
} from '../../src-main/wechat/tokens.ts';
import { deductions, startTestSim, type SimRequest, type TestSim } from '../helpers/sim.ts';
import { openTestTerminal, tempDir } from '../helpers/terminal.ts';

let sim: TestSim;
let dir: ReturnType<typeof tempDir>;

beforeEach(async () => {
  sim = await startTestSim();
  dir = tempDir();
});
afterEach(async () => {
  await sim.close();
  dir.remove();
});

const CODE = DEMO.giftCard500.code;
const APPSECRET = { appid: SANDBOX_APPID, secret: SANDBOX_SECRET } as const;
const COMPONENT = {
  componentAppid: SANDBOX_COMPONENT.component_appid,
  componentAppsecret: SANDBOX_COMPONENT.component_appsecret,
  componentVerifyTicket: SANDBOX_COMPONENT.component_verify_ticket,
  authorizerAppid: SANDBOX_COMPONENT.authorizer_appid,
  authorizerRefreshToken: SANDBOX_COMPONENT.authorizer_refresh_token,
} as const;

const clientWith = (tokens: TokenProvider): WeChatClient => createWeChatClient({ baseURL: sim.url, timeoutMs: 2_000, tokens });
const paths = (log: readonly SimRequest[]) => log.map((r) => r.path);
const only = (log: readonly SimRequest[], path: string) => log.filter((r) => r.path === path);

/** A clock the test moves by hand (the provider's `now`). */
function manualClock(start = Date.now()) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

/** URLs an axios instance requested, in order, query strings dropped (they hold tokens). */
function recordRequests(http: AxiosInstance, into: string[], label: string): void {
  http.interceptors.request.use((config) => {
    const url = new URL(config.url ?? '', 'http://relative.invalid');
    into.push(`${label} ${url.pathname}${url.searchParams.get('refresh') === '1' ? ' refresh=1' : ''}`);
    return config;
  });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

/** Another machine sharing the appid forces a new stable token: the old one dies at once. */
async function someoneElseForcesRefresh(): Promise<string> {
  const answer = await sim.http.post('/cgi-bin/stable_token', { grant_type: 'client_credential', appid: SANDBOX_APPID, secret: SANDBOX_SECRET, force_refresh: true });
  return (answer.data as { access_token: string }).access_token;
}

describe('appSecretTokenProvider', () => {
  it('fetches through cgi-bin/stable_token (shared, force_refresh false), never cgi-bin/token', async () => {
    const client = clientWith(appSecretTokenProvider(createHttp(sim.url, 2_000), APPSECRET));
    const answer = await client.getCode({ code: CODE });
    expect(answer.card.code).toBe(CODE);
    const log = await sim.requests();
    expect(paths(log)).toEqual(['/cgi-bin/stable_token', '/card/code/get']);
    expect(log[0]?.method).toBe('POST');
    expect(log[0]?.body).toMatchObject({ grant_type: 'client_credential', appid: SANDBOX_APPID, force_refresh: false });
  });

  it('caches the token: one fetch for many calls, even concurrent ones', async () => {
    const provider = appSecretTokenProvider(createHttp(sim.url, 2_000), APPSECRET);
    const client = clientWith(provider);
    const tokens = await Promise.all([provider.getToken(), provider.getToken(), provider.getToken()]);
    expect(new Set(tokens).size).toBe(1);
    await Promise.all([client.getCode({ code: CODE }), client.getCode({ code: DEMO.giftCard200.code })]);
    await client.getCode({ code: CODE });
    const log = await sim.requests();
    expect(only(log, '/cgi-bin/stable_token')).toHaveLength(1);
    expect(only(log, '/card/code/get')).toHaveLength(3);
  });

  it('renews 5 minutes before expiry, not earlier', async () => {
    const clock = manualClock();
    const provider = appSecretTokenProvider(createHttp(sim.url, 2_000), APPSECRET, clock.now);
    const first = await provider.getToken();
    // One millisecond before the renewal point: still the cached token, nothing fetched.
    clock.advance(7_200_000 - TOKEN_MARGIN_MS - 1);
    expect(await provider.getToken()).toBe(first);
    expect(only(await sim.requests(), '/cgi-bin/stable_token')).toHaveLength(1);
    // WeChat rotates the stable token 5 minutes before expiry too.
    await sim.clock({ advance: 7_200 - 300 });
    clock.advance(1);
    const renewed = await provider.getToken();
    expect(only(await sim.requests(), '/cgi-bin/stable_token')).toHaveLength(2);
    expect(renewed).not.toBe(first);
    expect((await clientWith(provider).getCode({ code: CODE })).card.code).toBe(CODE);
    expect(paths(await sim.requests())).not.toContain('/cgi-bin/token');
  });

  it("after another machine's force_refresh (40001): one re-fetch, one retry, success — without knocking the other machine out", async () => {
    const provider = appSecretTokenProvider(createHttp(sim.url, 2_000), APPSECRET);
    const client = clientWith(provider);
    await client.getCode({ code: CODE });
    const theirs = await someoneElseForcesRefresh();
    await sim.clearRequests();

    const answer = await client.getCode({ code: CODE });
    expect(answer.card.code).toBe(CODE);
    const log = await sim.requests();
    expect(paths(log)).toEqual(['/card/code/get', '/cgi-bin/stable_token', '/card/code/get']);
    // The shared token is simply picked up: forcing again would kill the other machine's token.
    expect(log[1]?.body).toMatchObject({ force_refresh: false });
    expect(await provider.getToken()).toBe(theirs);
  });

  it.each([40001, 40014, 42001])('a refused token (%i) leads to exactly one refresh and one retry, then success', async (errcode) => {
    const provider = appSecretTokenProvider(createHttp(sim.url, 2_000), APPSECRET);
    const client = clientWith(provider);
    const refused = await provider.getToken();
    await sim.clearRequests();
    await sim.fault({ path: '/card/code/get', kind: 'errcode', errcode, times: 1 });

    const answer = await client.getCode({ code: CODE });
    expect(answer.card.code).toBe(CODE);
    const log = await sim.requests();
    expect(only(log, '/card/code/get')).toHaveLength(2);
    expect(paths(log).at(-1)).toBe('/card/code/get');
    // The shared token itself was refused: the provider had to force a new one, once.
    expect(only(log, '/cgi-bin/stable_token').filter((r) => (r.body as { force_refresh?: boolean }).force_refresh === true)).toHaveLength(1);
    expect(await provider.getToken()).not.toBe(refused);
    expect(paths(log)).not.toContain('/cgi-bin/token');
  });

  it('a second consecutive token error fails loudly (no loop), and the provider recovers afterwards', async () => {
    const client = clientWith(appSecretTokenProvider(createHttp(sim.url, 2_000), APPSECRET));
    await client.getCode({ code: CODE });
    await sim.clearRequests();
    await sim.fault({ path: '/card/code/get', kind: 'errcode', errcode: 40001, times: 2 });

    const error = await rejection(client.getCode({ code: CODE }));
    expect(error).toBeInstanceOf(WeChatError);
    expect((error as WeChatError).failure).toMatchObject({ kind: 'api', errcode: 40001 });
    expect(reasonForError(error)).toBe('token_failed');
    expect(only(await sim.requests(), '/card/code/get')).toHaveLength(2);

    expect((await client.getCode({ code: CODE })).card.code).toBe(CODE);
  });

  it('wrong credentials are a TokenError the cashier sees as token_failed; no card call is made', async () => {
    const client = clientWith(appSecretTokenProvider(createHttp(sim.url, 2_000), { appid: SANDBOX_APPID, secret: 'not-the-secret-0123456789abcdef' }));
    const error = await rejection(client.getCode({ code: CODE }));
    expect(error).toBeInstanceOf(TokenError);
    expect((error as TokenError).message).toContain('40125');
    expect(reasonForError(error)).toBe('token_failed');
    expect(paths(await sim.requests())).toEqual(['/cgi-bin/stable_token']);
  });
});

describe('token refusals during a redemption', () => {
  let terminal: Terminal;
  beforeEach(async () => {
    terminal = await openTestTerminal(sim.url, dir.path);
  });
  afterEach(async () => {
    await terminal.close();
  });

  it('a 40001 on updateuser is refreshed and retried: settled, one deduction', async () => {
    const card = await sim.createCard({ balanceFen: 20_000, merchantId: DEMO_MERCHANT_ID });
    await sim.fault({ path: '/card/generalcard/updateuser', kind: 'errcode', errcode: 40001, times: 1 });
    const result = await terminal.engine.redeem({ code: card.code, amount: '12.34', cashier: 'alice' });
    expect(result.ok && result.value).toMatchObject({ state: 'settled', balance_after_fen: 20_000 - 1_234 });
    const after = await sim.code(card.code);
    expect(after.balanceFen).toBe(20_000 - 1_234);
    expect(deductions(after)).toHaveLength(1);
  });

  it('two 40001 in a row: declined token_failed, nothing deducted', async () => {
    const card = await sim.createCard({ balanceFen: 20_000, merchantId: DEMO_MERCHANT_ID });
    await sim.fault({ path: '/card/generalcard/updateuser', kind: 'errcode', errcode: 40001, times: 2 });
    const result = await terminal.engine.redeem({ code: card.code, amount: '12.34', cashier: 'alice' });
    expect(result.ok && result.value).toMatchObject({ state: 'declined', reason: 'token_failed' });
    const after = await sim.code(card.code);
    expect(after.balanceFen).toBe(20_000);
    expect(deductions(after)).toHaveLength(0);
  });
});

describe('the token service failing', () => {
  let terminal: Terminal;
  beforeEach(async () => {
    terminal = await openTestTerminal(sim.url, dir.path);
  });
  afterEach(async () => {
    await terminal.close();
  });

  it('a refused write whose token cannot be renewed is declined at once, not left "outcome unknown"', async () => {
    const card = await sim.createCard({ balanceFen: 20_000, merchantId: DEMO_MERCHANT_ID });
    expect((await terminal.engine.lookup(card.code)).ok).toBe(true);
    await sim.fault({ path: '/card/generalcard/updateuser', kind: 'errcode', errcode: 40001, times: 1 });
    await sim.fault({ path: '/cgi-bin/stable_token', kind: 'http500' });
    const result = await terminal.engine.redeem({ code: card.code, amount: '1', cashier: 'alice' });
    // WeChat refused the only updateuser that left: nothing can have moved, and the cashier is told so.
    expect(result.ok && result.value).toMatchObject({ state: 'declined', reason: 'network_unavailable' });
    expect(only(await sim.requests(), '/card/generalcard/updateuser')).toHaveLength(1);
    const after = await sim.code(card.code);
    expect(after.balanceFen).toBe(20_000);
    expect(deductions(after)).toHaveLength(0);
  });

  it('a card call without a token is "never sent" (unreachable), with a readable reason', async () => {
    await sim.fault({ path: '/cgi-bin/stable_token', kind: 'http500' });
    const error = await rejection(clientWith(appSecretTokenProvider(createHttp(sim.url, 2_000), APPSECRET)).getCode({ code: CODE }));
    expect(error).toBeInstanceOf(WeChatError);
    expect((error as WeChatError).failure.kind).toBe('unreachable');
    expect((error as WeChatError).outcomeUnknown).toBe(false);
    expect((error as WeChatError).apiUnavailable).toBe(true);
    expect(reasonForError(error)).toBe('network_unavailable');
    expect((error as WeChatError).message).toBe('/card/code/get: unreachable: no access token: stable_token: unknown: HTTP 500');
    expect(paths(await sim.requests())).toEqual(['/cgi-bin/stable_token']);
  });
});

describe('relayTokenProvider (GET /sim/token-relay)', () => {
  const setup = (now?: () => number) => {
    const url = `${sim.url}/sim/token-relay`;
    const http = createHttp(url, 2_000);
    const calls: string[] = [];
    recordRequests(http, calls, 'relay');
    const provider = relayTokenProvider(http, url, now);
    return { provider, calls, client: clientWith(provider) };
  };

  it('gets a working token without the terminal ever sending an AppSecret, and caches it', async () => {
    const { client, calls } = setup();
    await client.getCode({ code: CODE });
    await client.getCode({ code: DEMO.giftCard200.code });
    expect(calls).toHaveLength(1);
    const log = await sim.requests();
    expect(paths(log)).toEqual(['/card/code/get', '/card/code/get']);
    expect(JSON.stringify(log)).not.toContain('secret');
  });

  it('asks again 5 minutes before expiry', async () => {
    const clock = manualClock();
    const { provider, calls } = setup(clock.now);
    await provider.getToken();
    clock.advance(7_200_000 - TOKEN_MARGIN_MS - 1);
    await provider.getToken();
    expect(calls).toHaveLength(1);
    clock.advance(1);
    await provider.getToken();
    expect(calls).toHaveLength(2);
  });

  it('after a refused token asks the relay to refresh (refresh=1), retries once, and succeeds', async () => {
    const { provider, calls, client } = setup();
    const refused = await provider.getToken();
    await sim.fault({ path: '/card/code/get', kind: 'errcode', errcode: 40001, times: 1 });
    expect((await client.getCode({ code: CODE })).card.code).toBe(CODE);
    expect(calls).toEqual(['relay /sim/token-relay', 'relay /sim/token-relay refresh=1']);
    expect(only(await sim.requests(), '/card/code/get')).toHaveLength(2);
    expect(await provider.getToken()).not.toBe(refused);
  });

  it('a relay answering nonsense is a TokenError (token_failed), and no card call is made', async () => {
    const http = createHttp(sim.url, 2_000);
    // An admin route that answers JSON, but not {access_token, expires_in}.
    const client = clientWith(relayTokenProvider(http, `${sim.url}/sim/clock`));
    const error = await rejection(client.getCode({ code: CODE }));
    expect(error).toBeInstanceOf(TokenError);
    expect(reasonForError(error)).toBe('token_failed');
    expect(await sim.requests()).toHaveLength(0);
  });
});

describe('componentTokenProvider (third-party platform, SANDBOX_COMPONENT)', () => {
  const SECRET_NAME = 'authorizer_refresh_token';
  const journalStore = (db: Db): RefreshTokenStore => ({
    load: () => getSecret(db, SECRET_NAME),
    save: (value) => putSecret(db, SECRET_NAME, value),
  });

  it('saves the rotated refresh token durably before the access token is used', async () => {
    const db = openJournal(join(dir.path, 'journal.db'));
    try {
      const order: string[] = [];
      const tokenHttp = createHttp(sim.url, 2_000);
      recordRequests(tokenHttp, order, 'token');
      const store = journalStore(db);
      const provider = componentTokenProvider(tokenHttp, COMPONENT, {
        load: store.load,
        save: (value) => {
          store.save(value);
          order.push('save');
        },
      });
      const client = clientWith(provider);
      recordRequests(client.http, order, 'card');
      await client.getCode({ code: CODE });
      expect(order).toEqual([
        'token /cgi-bin/component/api_component_token',
        'token /cgi-bin/component/api_authorizer_token',
        'save',
        'card /card/code/get',
      ]);
      const saved = getSecret(db, SECRET_NAME);
      expect(saved).toMatch(/^refreshtoken@@@/);
      expect(saved).not.toBe(SANDBOX_COMPONENT.authorizer_refresh_token);
    } finally {
      db.close();
    }
  });

  it('does not use the access token when the rotated refresh token cannot be saved', async () => {
    const provider = componentTokenProvider(createHttp(sim.url, 2_000), COMPONENT, {
      load: () => null,
      save: () => {
        throw new Error('disk full');
      },
    });
    await expect(clientWith(provider).getCode({ code: CODE })).rejects.toThrow('disk full');
    expect(paths(await sim.requests())).not.toContain('/card/code/get');
  });

  it('a restarted provider with the saved store keeps working after the old refresh token’s 5-minute grace', async () => {
    const path = join(dir.path, 'journal.db');
    const firstDb = openJournal(path);
    await clientWith(componentTokenProvider(createHttp(sim.url, 2_000), COMPONENT, journalStore(firstDb))).getCode({ code: CODE });
    const rotated = getSecret(firstDb, SECRET_NAME);
    firstDb.close();

    await sim.clock({ advance: 301 });
    // Without the saved token (only the one from the settings), the merchant would have to authorise again.
    const forgetful = componentTokenProvider(createHttp(sim.url, 2_000), COMPONENT, { load: () => null, save: () => undefined });
    const error = await rejection(forgetful.getToken());
    expect(error).toBeInstanceOf(TokenError);
    expect((error as TokenError).message).toContain('61023');

    const db = openJournal(path);
    try {
      const restarted = componentTokenProvider(createHttp(sim.url, 2_000), COMPONENT, journalStore(db));
      expect((await clientWith(restarted).getCode({ code: CODE })).card.code).toBe(CODE);
      const next = getSecret(db, SECRET_NAME);
      expect(next).toMatch(/^refreshtoken@@@/);
      expect(next).not.toBe(rotated);
    } finally {
      db.close();
    }
  });
});

describe('componentTokenProvider after the merchant authorised again', () => {
  it('a dead saved refresh token gives way to a new one entered in the settings', async () => {
    const db = openJournal(join(dir.path, 'journal.db'));
    try {
      // Saved from an earlier authorisation; the settings now hold the token of the new one.
      putSecret(db, 'authorizer_refresh_token', 'refreshtoken@@@from-the-previous-authorisation');
      const provider = componentTokenProvider(createHttp(sim.url, 2_000), COMPONENT, {
        load: () => getSecret(db, 'authorizer_refresh_token'),
        save: (value) => putSecret(db, 'authorizer_refresh_token', value),
      });
      expect((await clientWith(provider).getCode({ code: CODE })).card.code).toBe(CODE);
      const saved = getSecret(db, 'authorizer_refresh_token');
      expect(saved).toMatch(/^refreshtoken@@@/);
      expect(saved).not.toBe('refreshtoken@@@from-the-previous-authorisation');
      expect(saved).not.toBe(SANDBOX_COMPONENT.authorizer_refresh_token);
      // The dead one was tried first: a live saved token always wins over the settings.
      const sent = only(await sim.requests(), '/cgi-bin/component/api_authorizer_token');
      expect(sent).toHaveLength(2);
    } finally {
      db.close();
    }
  });
});

describe('staticTokenProvider', () => {
  it('uses the given token as is', async () => {
    const answer = await sim.http.post('/cgi-bin/stable_token', { grant_type: 'client_credential', appid: SANDBOX_APPID, secret: SANDBOX_SECRET });
    const token = (answer.data as { access_token: string }).access_token;
    await sim.clearRequests();
    expect((await clientWith(staticTokenProvider(token)).getCode({ code: CODE })).card.code).toBe(CODE);
    expect(paths(await sim.requests())).toEqual(['/card/code/get']);
  });

  it('a refused static token fails loudly after one retry', async () => {
    const error = await rejection(clientWith(staticTokenProvider('not-a-token-the-service-issued')).getCode({ code: CODE }));
    expect(error).toBeInstanceOf(WeChatError);
    expect((error as WeChatError).errcode).toBe(40001);
    expect(reasonForError(error)).toBe('token_failed');
    expect(only(await sim.requests(), '/card/code/get')).toHaveLength(2);
  });
});
