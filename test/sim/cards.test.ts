import { beforeEach, describe, expect, it } from 'vitest';
import { DEMO, DEMO_LOCATION_ID, DEMO_MERCHANT_ID, OTHER_MERCHANT_ID } from '../../src-main/sim/index.ts';
import { T0, useSim, type Json, type SimClient } from './helpers.ts';

const current = useSim();
let client: SimClient;
let token: string;

beforeEach(async () => {
  client = current();
  token = await client.token();
});

const call = async (path: string, body: unknown) => (await client.wechat(path, body, token)).body;
const codeGet = (body: Json) => call('/card/code/get', body);
const updateUser = (body: Json) => call('/card/generalcard/updateuser', body);
const consume = (body: Json) => call('/card/code/consume', body);
const balanceOf = async (code: string) => (await client.admin('GET', `/sim/codes/${code}`)).body['balanceFen'];

describe('POST /card/get: the card definition', () => {
  it('describes a stored-value gift card with the fields a terminal checks', async () => {
    const answer = await call('/card/get', { card_id: DEMO.giftCard500.cardId });
    expect(answer).toMatchObject({
      errcode: 0,
      errmsg: 'ok',
      card: {
        card_type: 'GENERAL_CARD',
        general_card: {
          sub_card_type: 'GIFT_CARD',
          supply_balance: true,
          base_info: {
            id: DEMO.giftCard500.cardId,
            status: 'CARD_STATUS_VERIFY_OK',
            use_dynamic_code: false,
            use_custom_code: false,
            use_all_locations: true,
            location_id_list: [],
            sub_merchant_info: { merchant_id: DEMO_MERCHANT_ID },
            date_info: { type: 'DATE_TYPE_PERMANENT' },
            title: expect.any(String),
            brand_name: expect.any(String),
            logo_url: expect.any(String),
          },
        },
      },
    });
  });

  it('tells vouchers, dynamic-code cards, other merchants, other stores and expired cards apart', async () => {
    const info = async (cardId: string) => {
      const answer = await call('/card/get', { card_id: cardId });
      const general = (answer['card'] as Json)['general_card'] as Json;
      return { ...general, ...(general['base_info'] as Json) };
    };
    expect(await info(DEMO.voucher.cardId)).toMatchObject({ sub_card_type: 'VOUCHER', supply_balance: false });
    expect(await info(DEMO.dynamicGiftCard.cardId)).toMatchObject({
      use_dynamic_code: true,
      use_all_locations: false,
      location_id_list: expect.arrayContaining([DEMO_LOCATION_ID]),
      date_info: { type: 'DATE_TYPE_FIX_TIME_RANGE', begin_timestamp: expect.any(Number), end_timestamp: expect.any(Number) },
    });
    expect(await info(DEMO.otherMerchantGiftCard.cardId)).toMatchObject({ sub_merchant_info: { merchant_id: OTHER_MERCHANT_ID } });
    const otherStore = await info(DEMO.otherStoreGiftCard.cardId);
    expect(otherStore['use_all_locations']).toBe(false);
    expect(otherStore['location_id_list']).not.toContain(DEMO_LOCATION_ID);
    const expired = await info(DEMO.expiredGiftCard.cardId);
    expect((expired['date_info'] as Json)['end_timestamp']).toBeLessThan(T0);
    expect(await info(DEMO.customCodeGiftCard.cardId)).toMatchObject({ use_custom_code: true });
  });

  it('missing card_id → 41012, unknown → 40073', async () => {
    expect((await call('/card/get', {}))['errcode']).toBe(41012);
    expect((await call('/card/get', { card_id: 'pNoSuchCard' }))['errcode']).toBe(40073);
    expect((await call('/card/get', { card_id: 42 }))['errcode']).toBe(47001);
  });
});

describe('POST /card/code/get', () => {
  it('answers the documented fields, with the real code and a permanent end_time', async () => {
    const answer = await codeGet({ code: DEMO.giftCard500.code });
    expect(Object.keys(answer).sort()).toEqual(['can_consume', 'card', 'errcode', 'errmsg', 'openid', 'user_card_status']);
    expect(answer).toMatchObject({ errcode: 0, errmsg: 'ok', openid: expect.any(String), can_consume: true, user_card_status: 'NORMAL' });
    const card = answer['card'] as Json;
    expect(Object.keys(card).sort()).toEqual(
      ['background_pic_url', 'balance', 'begin_time', 'bonus', 'card_id', 'card_number', 'code', 'end_time', 'order_id'].sort(),
    );
    expect(card).toMatchObject({
      card_id: DEMO.giftCard500.cardId,
      balance: 50_000,
      bonus: 0,
      code: DEMO.giftCard500.code,
      card_number: DEMO.giftCard500.code,
      end_time: 2_147_483_647,
      begin_time: expect.any(Number),
      order_id: expect.any(String),
      background_pic_url: expect.any(String),
    });
  });

  it('shows every demo balance in fen', async () => {
    for (const entry of [DEMO.giftCard500, DEMO.giftCard200, DEMO.giftCard8888, DEMO.giftCard10]) {
      expect(((await codeGet({ code: entry.code }))['card'] as Json)['balance']).toBe(entry.balanceFen);
    }
  });

  it.each([
    ['consumed', DEMO.consumedGiftCard.code, 40099, 'CONSUMED'],
    ['being gifted', DEMO.giftingGiftCard.code, 40127, 'GIFTING'],
    ['of an expired card', DEMO.expiredGiftCard.code, 40079, 'EXPIRE'],
  ])('a code %s: check_consume (default true) → %i; false → 0 with status %s and can_consume false', async (_what, code, errcode, status) => {
    expect((await codeGet({ code }))['errcode']).toBe(errcode);
    expect((await codeGet({ code, check_consume: true }))['errcode']).toBe(errcode);
    expect(await codeGet({ code, check_consume: false })).toMatchObject({ errcode: 0, user_card_status: status, can_consume: false });
  });

  it('a DELETE code → 40127, an UNAVAILABLE one → 40078, a card not verified → 40078', async () => {
    const make = async (body: Json) => String((await client.admin('POST', '/sim/cards', { balanceFen: 100, ...body })).body['code']);
    expect((await codeGet({ code: await make({ userCardStatus: 'DELETE' }) }))['errcode']).toBe(40127);
    expect((await codeGet({ code: await make({ userCardStatus: 'UNAVAILABLE' }) }))['errcode']).toBe(40078);
    const notVerified = await make({ cardStatus: 'CARD_STATUS_NOT_VERIFY' });
    expect((await codeGet({ code: notVerified }))['errcode']).toBe(40078);
    expect(await codeGet({ code: notVerified, check_consume: false })).toMatchObject({ errcode: 0, can_consume: false, user_card_status: 'NORMAL' });
  });

  it('a card not valid yet → 40079; GIFT_TIMEOUT (gift returned) is usable', async () => {
    const future = String((await client.admin('POST', '/sim/cards', { balanceFen: 100, beginTime: T0 + 3600 })).body['code']);
    expect((await codeGet({ code: future }))['errcode']).toBe(40079);
    await client.advance(3600);
    expect((await codeGet({ code: future }))['errcode']).toBe(0);
    const returned = String((await client.admin('POST', '/sim/cards', { balanceFen: 100, userCardStatus: 'GIFT_TIMEOUT' })).body['code']);
    expect(await codeGet({ code: returned })).toMatchObject({ errcode: 0, can_consume: true, user_card_status: 'GIFT_TIMEOUT' });
  });

  it('unknown code → 40056; missing code → 41011; wrong card_id → 40056', async () => {
    expect((await codeGet({ code: '999999999999' }))['errcode']).toBe(40056);
    expect((await codeGet({}))['errcode']).toBe(41011);
    expect((await codeGet({ code: DEMO.giftCard500.code, card_id: DEMO.voucher.cardId }))['errcode']).toBe(40056);
    expect((await codeGet({ code: DEMO.giftCard500.code, card_id: DEMO.giftCard500.cardId }))['errcode']).toBe(0);
  });

  it('a custom-code card needs card_id (41012)', async () => {
    expect((await codeGet({ code: DEMO.customCodeGiftCard.code }))['errcode']).toBe(41012);
    expect((await codeGet({ code: DEMO.customCodeGiftCard.code, card_id: DEMO.customCodeGiftCard.cardId }))['errcode']).toBe(0);
  });

  it('wrong field types → 47001', async () => {
    expect((await codeGet({ code: 688000000001 }))['errcode']).toBe(47001);
    expect((await codeGet({ code: DEMO.giftCard500.code, check_consume: 'false' }))['errcode']).toBe(47001);
    expect((await codeGet({ code: DEMO.giftCard500.code, is_expire_dynamic_code: 1 }))['errcode']).toBe(47001);
  });
});

describe('POST /card/generalcard/updateuser: the ABSOLUTE balance', () => {
  const card = DEMO.giftCard500;

  it('sets the balance as given and answers result_balance, result_bonus and openid', async () => {
    const answer = await updateUser({ code: card.code, card_id: card.cardId, balance: 46_500, record_balance: '门店消费 35.00 元' });
    expect(Object.keys(answer).sort()).toEqual(['errcode', 'errmsg', 'openid', 'result_balance', 'result_bonus']);
    expect(answer).toMatchObject({ errcode: 0, errmsg: 'ok', result_balance: 46_500, result_bonus: 0, openid: expect.any(String) });
    expect(((await codeGet({ code: card.code }))['card'] as Json)['balance']).toBe(46_500);
    // Re-sending the same absolute update is harmless: not a second deduction.
    expect((await updateUser({ code: card.code, card_id: card.cardId, balance: 46_500 }))['result_balance']).toBe(46_500);
    expect(await balanceOf(card.code)).toBe(46_500);
    const history = (await client.admin('GET', `/sim/codes/${card.code}`)).body['history'];
    expect(history).toEqual([
      { at: T0, kind: 'updateuser', balanceFen: 46_500, recordBalance: '门店消费 35.00 元' },
      { at: T0, kind: 'updateuser', balanceFen: 46_500 },
    ]);
  });

  it('accepts 0 and a balance above the previous one (a top-up is just another absolute value)', async () => {
    expect((await updateUser({ code: card.code, card_id: card.cardId, balance: 0 }))['result_balance']).toBe(0);
    expect((await updateUser({ code: card.code, card_id: card.cardId, balance: 99_999 }))['result_balance']).toBe(99_999);
  });

  it.each([[-1], [12.5], ['100'], [2 ** 31], [true], [[100]]])('refuses balance %j with 47001 and leaves the balance alone', async (balance) => {
    expect((await updateUser({ code: card.code, card_id: card.cardId, balance }))['errcode']).toBe(47001);
    expect(await balanceOf(card.code)).toBe(50_000);
  });

  it('refuses record_balance that is not a string (47001)', async () => {
    expect((await updateUser({ code: card.code, card_id: card.cardId, balance: 1, record_balance: 35 }))['errcode']).toBe(47001);
  });

  it('requires card_id (41012) and the code (41011)', async () => {
    expect((await updateUser({ code: card.code, balance: 100 }))['errcode']).toBe(41012);
    expect((await updateUser({ card_id: card.cardId, balance: 100 }))['errcode']).toBe(41011);
    expect(await balanceOf(card.code)).toBe(50_000);
  });

  it.each([
    ['a consumed code', DEMO.consumedGiftCard, 40099],
    ['a code being gifted', DEMO.giftingGiftCard, 40127],
    ['a code of an expired card', DEMO.expiredGiftCard, 40079],
    ['a voucher (no stored value)', DEMO.voucher, 43010],
  ])('refuses %s with %i', async (_what, entry, errcode) => {
    expect((await updateUser({ code: entry.code, card_id: entry.cardId, balance: 1 }))['errcode']).toBe(errcode);
    expect(await balanceOf(entry.code)).toBe(entry.balanceFen);
  });

  it('refuses an unknown code or a card_id that is not the code\'s (40056)', async () => {
    expect((await updateUser({ code: '999999999999', card_id: card.cardId, balance: 1 }))['errcode']).toBe(40056);
    expect((await updateUser({ code: card.code, card_id: DEMO.voucher.cardId, balance: 1 }))['errcode']).toBe(40056);
  });
});

describe('POST /card/code/consume: irreversible', () => {
  it('answers openid and card.card_id, then the code is consumed everywhere (40099)', async () => {
    const entry = DEMO.giftCard10;
    const answer = await consume({ code: entry.code });
    expect(Object.keys(answer).sort()).toEqual(['card', 'errcode', 'errmsg', 'openid']);
    expect(answer).toEqual({ errcode: 0, errmsg: 'ok', openid: expect.any(String), card: { card_id: entry.cardId } });
    expect((await consume({ code: entry.code }))['errcode']).toBe(40099);
    expect((await codeGet({ code: entry.code }))['errcode']).toBe(40099);
    expect((await updateUser({ code: entry.code, card_id: entry.cardId, balance: 500 }))['errcode']).toBe(40099);
    expect(await codeGet({ code: entry.code, check_consume: false })).toMatchObject({ user_card_status: 'CONSUMED', can_consume: false });
    const state = (await client.admin('GET', `/sim/codes/${entry.code}`)).body;
    expect(state).toMatchObject({ userCardStatus: 'CONSUMED', history: [{ at: T0, kind: 'consume' }] });
  });

  it('redeems a single-item voucher', async () => {
    expect((await consume({ code: DEMO.voucher.code, card_id: DEMO.voucher.cardId }))['errcode']).toBe(0);
  });

  it.each([
    ['a code being gifted', { code: DEMO.giftingGiftCard.code }, 40127],
    ['a code of an expired card', { code: DEMO.expiredGiftCard.code }, 40079],
    ['an unknown code', { code: '999999999999' }, 40056],
    ['a custom code without card_id', { code: DEMO.customCodeGiftCard.code }, 41012],
    ['no code', {}, 41011],
    ['a numeric code', { code: 688000000001 }, 47001],
  ])('refuses %s', async (_what, body, errcode) => {
    expect((await consume(body))['errcode']).toBe(errcode);
  });
});

describe('malformed requests get WeChat errors, never a crash', () => {
  it.each(['/card/get', '/card/code/get', '/card/generalcard/updateuser', '/card/code/consume'])('%s', async (path) => {
    const raw = async (body: string | undefined, method = 'POST') => (await client.raw(method, path, body, { access_token: token })).body['errcode'];
    expect(await raw('')).toBe(44002);
    expect(await raw('   \n')).toBe(44002);
    expect(await raw(undefined)).toBe(44002);
    expect(await raw('{"code": ')).toBe(47001);
    expect(await raw('not json')).toBe(47001);
    expect(await raw('[1,2]')).toBe(47001);
    expect(await raw('"688000000001"')).toBe(47001);
    expect(await raw('null')).toBe(47001);
    expect(await raw(undefined, 'GET')).toBe(43002);
    expect(await raw(`{"code":"${'9'.repeat(2 * 1024 * 1024)}"}`)).toBe(47001);
  });

  it('an unknown path is HTTP 404 with a JSON body', async () => {
    const reply = await client.raw('POST', '/card/no/such/api', '{}');
    expect(reply.status).toBe(404);
    expect(reply.body['errcode']).toEqual(expect.any(Number));
  });

  it('error messages carry a request id, as the real ones do', async () => {
    expect((await codeGet({ code: '999999999999' }))['errmsg']).toMatch(/^invalid serial code rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/);
  });
});
