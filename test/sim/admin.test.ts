import { beforeEach, describe, expect, it } from 'vitest';
import { DEMO, DEMO_MERCHANT_ID, SANDBOX_APPID, SANDBOX_COMPONENT, SANDBOX_SECRET } from '../../src-main/sim/index.ts';
import { T0, useSim, type Json, type SimClient } from './helpers.ts';

const current = useSim();
let client: SimClient;

beforeEach(() => {
  client = current();
});

const createCard = async (body: Json) => {
  const reply = await client.admin('POST', '/sim/cards', body);
  expect(reply.status).toBe(200);
  return reply.body as { cardId: string; code: string };
};

describe('POST /sim/cards', () => {
  it('creates a gift card with a generated 12-digit code the card API then serves', async () => {
    const { cardId, code } = await createCard({ balanceFen: 12_345 });
    expect(code).toMatch(/^[1-9]\d{11}$/);
    expect(cardId).toMatch(/^p[0-9A-Za-z]{27}$/);
    const token = await client.token();
    expect((await client.wechat('/card/code/get', { code }, token)).body).toMatchObject({
      errcode: 0,
      user_card_status: 'NORMAL',
      card: { card_id: cardId, balance: 12_345, code },
    });
    const definition = (await client.wechat('/card/get', { card_id: cardId }, token)).body;
    expect(definition).toMatchObject({
      card: { general_card: { sub_card_type: 'GIFT_CARD', base_info: { sub_merchant_info: { merchant_id: DEMO_MERCHANT_ID } } } },
    });
  });

  it('generates distinct codes and card ids', async () => {
    const made = await Promise.all(Array.from({ length: 20 }, () => createCard({ balanceFen: 1 })));
    expect(new Set(made.map((m) => m.code)).size).toBe(20);
    expect(new Set(made.map((m) => m.cardId)).size).toBe(20);
  });

  it('takes explicit ids and every card option', async () => {
    const { cardId, code } = await createCard({
      cardId: 'pTestCustomCard',
      code: 'ABC123456',
      balanceFen: 0,
      useDynamicCode: true,
      useCustomCode: true,
      locationIds: [5, 6],
      merchantId: null,
      beginTime: T0 - 10,
      endTime: T0 + 10,
      title: 'Test card',
      userCardStatus: 'GIFTING',
    });
    expect({ cardId, code }).toEqual({ cardId: 'pTestCustomCard', code: 'ABC123456' });
    const token = await client.token();
    const base = (((await client.wechat('/card/get', { card_id: cardId }, token)).body['card'] as Json)['general_card'] as Json)['base_info'] as Json;
    expect(base).toMatchObject({
      title: 'Test card',
      use_dynamic_code: true,
      use_custom_code: true,
      use_all_locations: false,
      location_id_list: [5, 6],
      date_info: { type: 'DATE_TYPE_FIX_TIME_RANGE', begin_timestamp: T0 - 10, end_timestamp: T0 + 10 },
    });
    expect(base['sub_merchant_info']).toBeUndefined();
    expect((await client.admin('GET', `/sim/codes/${code}`)).body['userCardStatus']).toBe('GIFTING');
  });

  it('adds another code to an existing card, but will not redefine the card', async () => {
    const second = await createCard({ cardId: DEMO.giftCard500.cardId, balanceFen: 777 });
    expect(second.cardId).toBe(DEMO.giftCard500.cardId);
    const refused = await client.admin('POST', '/sim/cards', { cardId: DEMO.giftCard500.cardId, balanceFen: 1, title: 'New title' });
    expect(refused.status).toBe(400);
    expect(refused.body['error']).toContain('title');
  });

  it('creates vouchers without stored value', async () => {
    const { code } = await createCard({ subCardType: 'VOUCHER' });
    expect((await client.admin('GET', `/sim/codes/${code}`)).body['balanceFen']).toBe(0);
    expect((await client.admin('POST', '/sim/cards', { subCardType: 'VOUCHER', balanceFen: 100 })).status).toBe(400);
  });

  it('refuses a code that exists (409)', async () => {
    expect((await client.admin('POST', '/sim/cards', { code: DEMO.giftCard500.code, balanceFen: 1 })).status).toBe(409);
  });

  it.each([
    ['no balance for a gift card', '{}'],
    ['a negative balance', '{"balanceFen":-1}'],
    ['a fractional balance', '{"balanceFen":12.5}'],
    ['a balance in yuan text', '{"balanceFen":"12.50"}'],
    ['an unknown field', '{"balanceFen":1,"colour":"red"}'],
    ['an unknown sub card type', '{"balanceFen":1,"subCardType":"MEMBER_CARD"}'],
    ['an unknown status', '{"balanceFen":1,"userCardStatus":"LOST"}'],
    ['a code with spaces', '{"balanceFen":1,"code":"1234 5678"}'],
    ['an end before the begin', '{"balanceFen":1,"beginTime":2000,"endTime":1000}'],
    ['not JSON', '{balanceFen: 1}'],
    ['a JSON array', '[1]'],
  ])('refuses %s with HTTP 400 and a message', async (_what, body) => {
    const reply = await client.raw('POST', '/sim/cards', body);
    expect(reply.status).toBe(400);
    expect(reply.body['error']).toEqual(expect.any(String));
  });
});

describe('GET /sim/codes/{code}', () => {
  it('shows balance, status and every write in order', async () => {
    const token = await client.token();
    const entry = DEMO.giftCard200;
    await client.wechat('/card/generalcard/updateuser', { code: entry.code, card_id: entry.cardId, balance: 15_000, record_balance: '消费 50.00 元' }, token);
    await client.advance(60);
    await client.wechat('/card/generalcard/updateuser', { code: entry.code, card_id: entry.cardId, balance: 0 }, token);
    await client.wechat('/card/code/consume', { code: entry.code }, token);
    const reply = await client.admin('GET', `/sim/codes/${entry.code}`);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      code: entry.code,
      cardId: entry.cardId,
      balanceFen: 0,
      userCardStatus: 'CONSUMED',
      openid: expect.any(String),
      history: [
        { at: T0, kind: 'updateuser', balanceFen: 15_000, recordBalance: '消费 50.00 元' },
        { at: T0 + 60, kind: 'updateuser', balanceFen: 0 },
        { at: T0 + 60, kind: 'consume' },
      ],
    });
  });

  it('is 404 for an unknown code (and for a dynamic one: it shows real codes)', async () => {
    expect((await client.admin('GET', '/sim/codes/999999999999')).status).toBe(404);
    const { dynamicCode } = (await client.admin('POST', `/sim/codes/${DEMO.dynamicGiftCard.code}/dynamic`)).body as { dynamicCode: string };
    expect((await client.admin('GET', `/sim/codes/${dynamicCode}`)).status).toBe(404);
    expect((await client.admin('GET', '/sim/codes/%E0%A4%A')).status).toBe(400);
  });
});

describe('POST /sim/clock', () => {
  it('sets, advances, and returns to real time', async () => {
    expect((await client.admin('GET', '/sim/clock')).body).toEqual({ now: T0, frozen: true });
    expect((await client.admin('POST', '/sim/clock', { advance: 90 })).body).toEqual({ now: T0 + 90, frozen: true });
    expect((await client.admin('POST', '/sim/clock', { now: 1_800_000_000 })).body).toEqual({ now: 1_800_000_000, frozen: true });
    const real = (await client.admin('POST', '/sim/clock', {})).body;
    expect(real['frozen']).toBe(false);
    expect(Math.abs(Number(real['now']) - Date.now() / 1000)).toBeLessThan(5);
    const ahead = (await client.admin('POST', '/sim/clock', { advance: 3600 })).body;
    expect(Math.abs(Number(ahead['now']) - (Date.now() / 1000 + 3600))).toBeLessThan(5);
  });

  it('refuses nonsense with HTTP 400', async () => {
    expect((await client.admin('POST', '/sim/clock', { now: 'tomorrow' })).status).toBe(400);
    expect((await client.admin('POST', '/sim/clock', { advance: 1.5 })).status).toBe(400);
    expect((await client.admin('PUT', '/sim/clock', {})).status).toBe(405);
  });
});

describe('GET /sim/requests', () => {
  it('lists every WeChat request in order, with tokens and secrets masked', async () => {
    await client.raw('GET', '/cgi-bin/token', undefined, { grant_type: 'client_credential', appid: SANDBOX_APPID, secret: SANDBOX_SECRET });
    const token = await client.token();
    await client.wechat('/card/code/get', { code: DEMO.giftCard500.code }, token);
    await client.wechat('/cgi-bin/component/api_authorizer_token', { authorizer_refresh_token: SANDBOX_COMPONENT.authorizer_refresh_token });
    await client.raw('POST', '/card/code/consume', 'garbage', { access_token: token });
    const log = (await client.admin('GET', '/sim/requests')).body['value'] as Json[];
    expect(log).toEqual([
      { at: T0, method: 'GET', path: '/cgi-bin/token', query: { grant_type: 'client_credential', appid: SANDBOX_APPID, secret: '***' }, body: null },
      {
        at: T0,
        method: 'POST',
        path: '/cgi-bin/stable_token',
        query: {},
        body: { grant_type: 'client_credential', appid: SANDBOX_APPID, secret: '***' },
      },
      { at: T0, method: 'POST', path: '/card/code/get', query: { access_token: '***' }, body: { code: DEMO.giftCard500.code } },
      { at: T0, method: 'POST', path: '/cgi-bin/component/api_authorizer_token', query: {}, body: { authorizer_refresh_token: '***' } },
      { at: T0, method: 'POST', path: '/card/code/consume', query: { access_token: '***' }, body: 'garbage' },
    ]);
    expect(JSON.stringify(log)).not.toContain(token);
    expect((await client.admin('DELETE', '/sim/requests')).body).toEqual({ cleared: 5 });
    expect((await client.admin('GET', '/sim/requests')).body).toEqual({ value: [] });
  });
});

describe('admin routing', () => {
  it('answers 404 for an unknown admin route and 405 for a wrong method', async () => {
    expect((await client.admin('GET', '/sim/nothing')).status).toBe(404);
    expect((await client.admin('GET', '/sim/cards')).status).toBe(405);
    expect((await client.admin('POST', '/sim/token-relay')).status).toBe(405);
    expect((await client.admin('PUT', '/sim/requests')).status).toBe(405);
  });
});
