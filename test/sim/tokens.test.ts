import { describe, expect, it } from 'vitest';
import { DEMO, SANDBOX_APPID, SANDBOX_COMPONENT, SANDBOX_SECRET, startSimulator } from '../../src-main/sim/index.ts';
import { clientFor, T0, useSim, type SimClient } from './helpers.ts';

const current = useSim();

const basicToken = async (client: SimClient, overrides: Record<string, string> = {}) =>
  client.raw('GET', '/cgi-bin/token', undefined, { grant_type: 'client_credential', appid: SANDBOX_APPID, secret: SANDBOX_SECRET, ...overrides });

const stable = (client: SimClient, body: Record<string, unknown> = {}) =>
  client.wechat('/cgi-bin/stable_token', { grant_type: 'client_credential', appid: SANDBOX_APPID, secret: SANDBOX_SECRET, ...body });

/** What a card call with this token answers: 0, 40001, 42001... */
const cardErrcode = async (client: SimClient, token: string) =>
  (await client.wechat('/card/code/get', { code: DEMO.giftCard500.code }, token)).body['errcode'];

describe('cgi-bin/token: each fetch supersedes the previous token after 5 minutes', () => {
  it('answers a 7200 s token in the real shape (no errcode), usable on the card API', async () => {
    const client = current();
    const reply = await basicToken(client);
    expect(reply.status).toBe(200);
    expect(Object.keys(reply.body).sort()).toEqual(['access_token', 'expires_in']);
    expect(reply.body['expires_in']).toBe(7200);
    expect(await cardErrcode(client, String(reply.body['access_token']))).toBe(0);
  });

  it('a second fetch makes the first token fail with 40001 only 300 s later', async () => {
    const client = current();
    const first = String((await basicToken(client)).body['access_token']);
    const second = String((await basicToken(client)).body['access_token']);
    expect(second).not.toBe(first);
    await client.advance(299);
    expect(await cardErrcode(client, first)).toBe(0);
    await client.advance(1);
    expect(await cardErrcode(client, first)).toBe(40001);
    expect(await cardErrcode(client, second)).toBe(0);
  });

  it('a token not superseded expires after 7200 s with 42001', async () => {
    const client = current();
    const token = String((await basicToken(client)).body['access_token']);
    await client.advance(7199);
    expect(await cardErrcode(client, token)).toBe(0);
    await client.advance(1);
    expect(await cardErrcode(client, token)).toBe(42001);
  });

  it.each([
    [{ grant_type: 'password' }, 40002],
    [{ appid: '' }, 41002],
    [{ appid: 'wx0000000000000000' }, 40013],
    [{ secret: '' }, 41004],
    [{ secret: 'wrong' }, 40125],
  ])('refuses %j with errcode %i', async (overrides, errcode) => {
    const reply = await basicToken(current(), overrides);
    expect(reply.status).toBe(200);
    expect(reply.body['errcode']).toBe(errcode);
    expect(reply.body['access_token']).toBeUndefined();
  });
});

describe('cgi-bin/stable_token: one token shared by every caller', () => {
  it('gives every caller the same token while it has more than 5 minutes to live', async () => {
    const client = current();
    const a = await stable(client);
    await client.advance(1000);
    const b = await stable(client);
    expect(b.body['access_token']).toBe(a.body['access_token']);
    expect(a.body['expires_in']).toBe(7200);
    expect(b.body['expires_in']).toBe(6200);
  });

  it('rotates 5 minutes before expiry; the old token lives out its lifetime, then 42001', async () => {
    const client = current();
    const old = String((await stable(client)).body['access_token']);
    await client.advance(7200 - 301);
    expect((await stable(client)).body['access_token']).toBe(old);
    await client.advance(1);
    const next = String((await stable(client)).body['access_token']);
    expect(next).not.toBe(old);
    expect(await cardErrcode(client, old)).toBe(0);
    await client.advance(300);
    expect(await cardErrcode(client, old)).toBe(42001);
    expect(await cardErrcode(client, next)).toBe(0);
  });

  it('force_refresh mints a new token and the old one fails at once with 40001', async () => {
    const client = current();
    const old = String((await stable(client)).body['access_token']);
    const forced = await stable(client, { force_refresh: true });
    expect(forced.body['expires_in']).toBe(7200);
    expect(forced.body['access_token']).not.toBe(old);
    expect(await cardErrcode(client, old)).toBe(40001);
    expect(await cardErrcode(client, String(forced.body['access_token']))).toBe(0);
    expect((await stable(client)).body['access_token']).toBe(forced.body['access_token']);
  });

  it('force_refresh is limited to one per 30 s (45011) and 20 per day (45009)', async () => {
    const client = current();
    expect((await stable(client, { force_refresh: true })).body['errcode']).toBeUndefined();
    expect((await stable(client, { force_refresh: true })).body['errcode']).toBe(45011);
    for (let i = 1; i < 20; i++) {
      await client.advance(30);
      expect((await stable(client, { force_refresh: true })).body['access_token']).toEqual(expect.any(String));
    }
    await client.advance(30);
    expect((await stable(client, { force_refresh: true })).body['errcode']).toBe(45009);
    // The daily count restarts at midnight Beijing time.
    await client.setClock(T0 + 86_400);
    expect((await stable(client, { force_refresh: true })).body['access_token']).toEqual(expect.any(String));
  });

  it('is independent of cgi-bin/token: fetching one never invalidates the other', async () => {
    const client = current();
    const shared = String((await stable(client)).body['access_token']);
    await basicToken(client);
    await basicToken(client);
    await client.advance(600);
    expect(await cardErrcode(client, shared)).toBe(0);
  });

  it.each([
    [{ appid: 'wx0000000000000000' }, 40013],
    [{ secret: 'wrong' }, 40125],
    [{ appid: undefined }, 41002],
    [{ secret: undefined }, 41004],
    [{ grant_type: 'authorization_code' }, 40002],
    [{ force_refresh: 'yes' }, 47001],
  ])('refuses %j with errcode %i', async (overrides, errcode) => {
    expect((await stable(current(), overrides)).body['errcode']).toBe(errcode);
  });

  it('requires POST (43002) and a body (44002)', async () => {
    const client = current();
    expect((await client.raw('GET', '/cgi-bin/stable_token')).body['errcode']).toBe(43002);
    expect((await client.raw('POST', '/cgi-bin/stable_token', '')).body['errcode']).toBe(44002);
  });

  it('honours the appid and secret the simulator was started with', async () => {
    const sim = await startSimulator({ appid: 'wxcustomappid00001', secret: 'custom-secret' });
    try {
      const client = clientFor(sim);
      expect(sim.appid).toBe('wxcustomappid00001');
      expect((await stable(client)).body['errcode']).toBe(40013);
      const reply = await client.wechat('/cgi-bin/stable_token', { grant_type: 'client_credential', appid: sim.appid, secret: sim.secret });
      expect(reply.body['access_token']).toEqual(expect.any(String));
    } finally {
      await sim.close();
    }
  });
});

describe('GET /sim/token-relay: a central token service for terminals without the AppSecret', () => {
  it('hands out the current stable token, and a fresh one on ?refresh=1', async () => {
    const client = current();
    const shared = String((await stable(client)).body['access_token']);
    const relayed = await client.raw('GET', '/sim/token-relay');
    expect(relayed.status).toBe(200);
    expect(relayed.body).toEqual({ access_token: shared, expires_in: 7200 });
    const refreshed = await client.raw('GET', '/sim/token-relay', undefined, { refresh: '1' });
    expect(refreshed.body['access_token']).not.toBe(shared);
    expect(await cardErrcode(client, String(refreshed.body['access_token']))).toBe(0);
    // Within 30 s WeChat refuses another forced refresh: the relay hands out the current token.
    const again = await client.raw('GET', '/sim/token-relay', undefined, { refresh: '1' });
    expect(again.body['access_token']).toBe(refreshed.body['access_token']);
  });
});

describe('card endpoints check the access_token', () => {
  it('missing → 41001, unknown → 40001', async () => {
    const client = current();
    expect((await client.wechat('/card/code/get', { code: DEMO.giftCard500.code })).body['errcode']).toBe(41001);
    expect((await client.wechat('/card/code/get', { code: DEMO.giftCard500.code }, 'not-a-token')).body['errcode']).toBe(40001);
  });
});

describe('third-party platform: component and authorizer tokens', () => {
  const componentToken = async (client: SimClient) => {
    const reply = await client.wechat('/cgi-bin/component/api_component_token', {
      component_appid: SANDBOX_COMPONENT.component_appid,
      component_appsecret: SANDBOX_COMPONENT.component_appsecret,
      component_verify_ticket: SANDBOX_COMPONENT.component_verify_ticket,
    });
    expect(Object.keys(reply.body).sort()).toEqual(['component_access_token', 'expires_in']);
    return String(reply.body['component_access_token']);
  };
  const authorizer = (client: SimClient, component: string, refreshToken: string, overrides: Record<string, unknown> = {}) =>
    client.raw(
      'POST',
      '/cgi-bin/component/api_authorizer_token',
      JSON.stringify({
        component_appid: SANDBOX_COMPONENT.component_appid,
        authorizer_appid: SANDBOX_COMPONENT.authorizer_appid,
        authorizer_refresh_token: refreshToken,
        ...overrides,
      }),
      { component_access_token: component },
    );

  it('issues an authorizer token the card API accepts, with a rotated refresh token', async () => {
    const client = current();
    const component = await componentToken(client);
    const reply = await authorizer(client, component, SANDBOX_COMPONENT.authorizer_refresh_token);
    expect(Object.keys(reply.body).sort()).toEqual(['authorizer_access_token', 'authorizer_refresh_token', 'expires_in']);
    expect(reply.body['expires_in']).toBe(7200);
    expect(reply.body['authorizer_refresh_token']).not.toBe(SANDBOX_COMPONENT.authorizer_refresh_token);
    expect(await cardErrcode(client, String(reply.body['authorizer_access_token']))).toBe(0);
  });

  it('the old refresh token keeps working 5 more minutes, then 61023; the newest keeps working', async () => {
    const client = current();
    const component = await componentToken(client);
    const first = await authorizer(client, component, SANDBOX_COMPONENT.authorizer_refresh_token);
    const rotated = String(first.body['authorizer_refresh_token']);
    await client.advance(299);
    const again = await authorizer(client, component, SANDBOX_COMPONENT.authorizer_refresh_token);
    expect(again.body['authorizer_access_token']).toEqual(expect.any(String));
    const newest = String(again.body['authorizer_refresh_token']);
    await client.advance(1);
    expect((await authorizer(client, component, SANDBOX_COMPONENT.authorizer_refresh_token)).body['errcode']).toBe(61023);
    // `rotated` was superseded by `newest` at +299 s: it lives until +599 s.
    expect((await authorizer(client, component, rotated)).body['authorizer_access_token']).toEqual(expect.any(String));
    await client.advance(300);
    expect((await authorizer(client, component, rotated)).body['errcode']).toBe(61023);
    expect((await authorizer(client, component, 'refreshtoken@@@made-up')).body['errcode']).toBe(61023);
    expect(newest).not.toBe(rotated);
  });

  it('a superseded authorizer access token dies 300 s after the next one is issued', async () => {
    const client = current();
    const component = await componentToken(client);
    const first = await authorizer(client, component, SANDBOX_COMPONENT.authorizer_refresh_token);
    await authorizer(client, component, String(first.body['authorizer_refresh_token']));
    await client.advance(300);
    expect(await cardErrcode(client, String(first.body['authorizer_access_token']))).toBe(40001);
  });

  it('refuses wrong component credentials', async () => {
    const client = current();
    const body = {
      component_appid: SANDBOX_COMPONENT.component_appid,
      component_appsecret: SANDBOX_COMPONENT.component_appsecret,
      component_verify_ticket: SANDBOX_COMPONENT.component_verify_ticket,
    };
    const errcodeFor = async (overrides: Record<string, unknown>) =>
      (await client.wechat('/cgi-bin/component/api_component_token', { ...body, ...overrides })).body['errcode'];
    expect(await errcodeFor({ component_appid: 'wx0000000000000000' })).toBe(40013);
    expect(await errcodeFor({ component_appid: undefined })).toBe(41002);
    expect(await errcodeFor({ component_appsecret: 'wrong' })).toBe(40125);
    expect(await errcodeFor({ component_appsecret: undefined })).toBe(41004);
    expect(await errcodeFor({ component_verify_ticket: 'ticket@@@stale' })).toBe(61006);
    expect(await errcodeFor({ component_verify_ticket: undefined })).toBe(41011);
  });

  it('refuses bad authorizer requests', async () => {
    const client = current();
    const component = await componentToken(client);
    const refresh = SANDBOX_COMPONENT.authorizer_refresh_token;
    expect((await client.wechat('/cgi-bin/component/api_authorizer_token', {})).body['errcode']).toBe(41001);
    expect((await authorizer(client, 'made-up-component-token', refresh)).body['errcode']).toBe(40001);
    expect((await authorizer(client, component, refresh, { component_appid: 'wx0000000000000000' })).body['errcode']).toBe(40013);
    expect((await authorizer(client, component, refresh, { component_appid: undefined })).body['errcode']).toBe(41002);
    expect((await authorizer(client, component, refresh, { authorizer_appid: 'wx0000000000000000' })).body['errcode']).toBe(61003);
    expect((await authorizer(client, component, refresh, { authorizer_appid: undefined })).body['errcode']).toBe(41011);
    expect((await authorizer(client, component, refresh, { authorizer_refresh_token: undefined })).body['errcode']).toBe(41003);
    expect((await client.raw('GET', '/cgi-bin/component/api_authorizer_token', undefined, { component_access_token: component })).body['errcode']).toBe(
      43002,
    );
    // The refresh token is still unused after all those refusals.
    expect((await authorizer(client, component, refresh)).body['authorizer_access_token']).toEqual(expect.any(String));
    await client.advance(7200);
    expect((await authorizer(client, component, refresh)).body['errcode']).toBe(42001);
  });

  it('a component token is not an access token for the card API', async () => {
    const client = current();
    expect(await cardErrcode(client, await componentToken(client))).toBe(40001);
  });
});
