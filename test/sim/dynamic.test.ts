import { beforeEach, describe, expect, it } from 'vitest';
import { DEMO } from '../../src-main/sim/index.ts';
import { T0, useSim, type Json, type SimClient } from './helpers.ts';

const current = useSim();
let client: SimClient;
let token: string;

beforeEach(async () => {
  client = current();
  token = await client.token();
});

const call = async (path: string, body: Json) => (await client.wechat(path, body, token)).body;
const real = DEMO.dynamicGiftCard;

async function mint(code: string = real.code): Promise<{ dynamicCode: string; expiresAt: number }> {
  const reply = await client.admin('POST', `/sim/codes/${code}/dynamic`);
  expect(reply.status).toBe(200);
  return reply.body as { dynamicCode: string; expiresAt: number };
}

describe('dynamic codes (anti-screenshot)', () => {
  it('are 18 digits starting 1636, valid 300 s, and code/get answers the REAL code', async () => {
    const { dynamicCode, expiresAt } = await mint();
    expect(dynamicCode).toMatch(/^1636\d{14}$/);
    expect(expiresAt).toBe(T0 + 300);
    const answer = await call('/card/code/get', { code: dynamicCode });
    expect(answer).toMatchObject({
      errcode: 0,
      can_consume: true,
      card: { code: real.code, card_number: real.code, card_id: real.cardId, balance: real.balanceFen },
    });
  });

  it('each mint is a new code; the static real code is still accepted (old WeChat clients)', async () => {
    const a = await mint();
    const b = await mint();
    expect(a.dynamicCode).not.toBe(b.dynamicCode);
    expect((await call('/card/code/get', { code: real.code }))['errcode']).toBe(0);
  });

  it('a dynamic code can be resolved more than once while valid', async () => {
    const { dynamicCode } = await mint();
    expect(((await call('/card/code/get', { code: dynamicCode }))['card'] as Json)['code']).toBe(real.code);
    expect(((await call('/card/code/get', { code: dynamicCode }))['card'] as Json)['code']).toBe(real.code);
  });

  it('after 300 s answers 40056, unless is_expire_dynamic_code is true', async () => {
    const { dynamicCode } = await mint();
    await client.advance(299);
    expect((await call('/card/code/get', { code: dynamicCode }))['errcode']).toBe(0);
    await client.advance(1);
    expect((await call('/card/code/get', { code: dynamicCode }))['errcode']).toBe(40056);
    expect((await call('/card/code/get', { code: dynamicCode, is_expire_dynamic_code: false }))['errcode']).toBe(40056);
    const late = await call('/card/code/get', { code: dynamicCode, is_expire_dynamic_code: true });
    expect(late).toMatchObject({ errcode: 0, card: { code: real.code } });
  });

  it('updateuser and consume take the real code only: a dynamic code there is 40056', async () => {
    const { dynamicCode } = await mint();
    expect((await call('/card/generalcard/updateuser', { code: dynamicCode, card_id: real.cardId, balance: 100 }))['errcode']).toBe(40056);
    expect((await call('/card/code/consume', { code: dynamicCode }))['errcode']).toBe(40056);
    expect((await client.admin('GET', `/sim/codes/${real.code}`)).body['balanceFen']).toBe(real.balanceFen);
    expect((await call('/card/generalcard/updateuser', { code: real.code, card_id: real.cardId, balance: 100 }))['result_balance']).toBe(100);
  });

  it('a dynamic code with the card_id of another card → 40056; a made-up 1636 code → 40056', async () => {
    const { dynamicCode } = await mint();
    expect((await call('/card/code/get', { code: dynamicCode, card_id: DEMO.giftCard500.cardId }))['errcode']).toBe(40056);
    expect((await call('/card/code/get', { code: '163612345678901234' }))['errcode']).toBe(40056);
  });

  it('check_consume applies to the real code behind a dynamic code', async () => {
    const { dynamicCode } = await mint();
    await call('/card/code/consume', { code: real.code });
    expect((await call('/card/code/get', { code: dynamicCode }))['errcode']).toBe(40099);
    expect(await call('/card/code/get', { code: dynamicCode, check_consume: false })).toMatchObject({ errcode: 0, user_card_status: 'CONSUMED' });
  });

  it('minting is refused for a card without dynamic codes (400) and an unknown code (404)', async () => {
    expect((await client.admin('POST', `/sim/codes/${DEMO.giftCard500.code}/dynamic`)).status).toBe(400);
    expect((await client.admin('POST', '/sim/codes/999999999999/dynamic')).status).toBe(404);
    expect((await client.admin('GET', `/sim/codes/${real.code}/dynamic`)).status).toBe(405);
  });
});
