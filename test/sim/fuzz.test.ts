/**
 * Whatever a client sends — garbage bytes, wrong types, odd paths, broken HTTP — the simulator
 * keeps answering, with 44002/47001 where WeChat would give them, and its stored balances stay
 * non-negative integers of fen.
 */
import { connect } from 'node:net';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO, SANDBOX_COMPONENT } from '../../src-main/sim/index.ts';
import { useSim, type SimClient } from './helpers.ts';

/** Handler exceptions (bugs, answered -1) the simulator reports; the fuzzer must find none. */
const bugs: unknown[] = [];
const current = useSim({ onError: (error) => bugs.push(error) });
let client: SimClient;
/** Query strings that pass each endpoint's token check, so the body is what gets judged. */
let queries: Record<string, Record<string, string> | undefined>;

const CARD_PATHS = ['/card/get', '/card/code/get', '/card/generalcard/updateuser', '/card/code/consume'];
const POST_PATHS = [...CARD_PATHS, '/cgi-bin/stable_token', '/cgi-bin/component/api_component_token', '/cgi-bin/component/api_authorizer_token'];

afterEach(() => {
  expect(bugs.splice(0)).toEqual([]);
});

beforeEach(async () => {
  client = current();
  const token = await client.token();
  const component = await client.wechat('/cgi-bin/component/api_component_token', {
    component_appid: SANDBOX_COMPONENT.component_appid,
    component_appsecret: SANDBOX_COMPONENT.component_appsecret,
    component_verify_ticket: SANDBOX_COMPONENT.component_verify_ticket,
  });
  queries = {
    ...Object.fromEntries(CARD_PATHS.map((path) => [path, { access_token: token }])),
    '/cgi-bin/component/api_authorizer_token': { component_access_token: String(component.body['component_access_token']) },
  };
});

/** What the server sees after the string crosses the wire as UTF-8 (lone surrogates become U+FFFD). */
const onTheWire = (text: string) => Buffer.from(text, 'utf8').toString('utf8');

/** The errcode WeChat gives a body before looking at its fields, or null when it is a JSON object. */
function expectedEnvelopeErrcode(text: string): number | null {
  if (text.trim() === '') return 44002;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? null : 47001;
  } catch {
    return 47001;
  }
}

const garbage = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('', ' ', '\n\t', '{', '}', '[]', 'null', 'true', '0', '"x"', '{"code":}', '\u00a0', '\ufeff{}', '{"a":1}{"b":2}'),
  fc.json(),
  fc.jsonValue().map((value) => JSON.stringify(value)),
);

/** Values of every JSON type, for fields that expect one of them. */
const anyJson = fc.oneof(
  fc.string(),
  fc.constantFrom(DEMO.giftCard500.code, DEMO.giftCard500.cardId, DEMO.customCodeGiftCard.code, DEMO.voucher.code, ''),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.integer(), { maxKeys: 2 }),
);

const fieldsBody = fc.record(
  {
    code: anyJson,
    card_id: anyJson,
    balance: fc.oneof(anyJson, fc.integer({ min: -10, max: 100_000 })),
    record_balance: anyJson,
    check_consume: anyJson,
    is_expire_dynamic_code: anyJson,
    grant_type: anyJson,
    appid: anyJson,
    secret: anyJson,
    force_refresh: anyJson,
    component_appid: anyJson,
    authorizer_appid: anyJson,
    authorizer_refresh_token: anyJson,
    ['__proto__']: anyJson,
    constructor: anyJson,
  },
  { requiredKeys: [] },
);

describe('fuzzing every endpoint', () => {
  it('garbage bodies: HTTP 200 JSON, 44002 when empty, 47001 unless a JSON object', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...POST_PATHS), garbage, async (path, body) => {
        const reply = await client.raw('POST', path, body, queries[path]);
        expect(reply.status).toBe(200);
        const expected = expectedEnvelopeErrcode(onTheWire(body));
        if (expected !== null) expect(reply.body['errcode']).toBe(expected);
        else expect(typeof reply.body['errcode'] === 'number' || typeof reply.body['access_token'] === 'string' || typeof reply.body['component_access_token'] === 'string').toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('JSON objects with fields of random types: always a WeChat answer; balances stay whole fen', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...POST_PATHS), fieldsBody, async (path, body) => {
        const reply = await client.raw('POST', path, JSON.stringify(body), queries[path]);
        expect(reply.status).toBe(200);
        const errcode = reply.body['errcode'];
        if (errcode === undefined) expect(Object.keys(reply.body).some((key) => key.endsWith('access_token'))).toBe(true);
        else expect(errcode).toEqual(expect.any(Number));
      }),
      { numRuns: 300 },
    );
    for (const entry of Object.values(DEMO)) {
      const balance = (await client.admin('GET', `/sim/codes/${entry.code}`)).body['balanceFen'];
      expect(Number.isSafeInteger(balance) && Number(balance) >= 0).toBe(true);
    }
  });

  it('random methods and paths: always an HTTP answer', async () => {
    const path = fc.oneof(
      fc.webPath(),
      fc.constantFrom(...POST_PATHS, '/cgi-bin/token', '/sim/codes/', '/sim/codes/x/dynamic/y', '/sim/', '/sim', '/', '//card//get'),
      fc.string().map((s) => `/${encodeURIComponent(s)}`),
    );
    const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS');
    await fc.assert(
      fc.asyncProperty(method, path, garbage, async (m, p, body) => {
        const reply = await client.raw(m, p, m === 'GET' ? undefined : body, { access_token: 'x' });
        expect(reply.status).toBeGreaterThanOrEqual(200);
        expect(reply.status).toBeLessThan(500);
      }),
      { numRuns: 200 },
    );
  });

  it('admin routes refuse non-JSON bodies with HTTP 400', async () => {
    const notJson = garbage.filter((text) => expectedEnvelopeErrcode(onTheWire(text)) === 47001 && !isJson(onTheWire(text)));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/sim/cards', '/sim/clock', '/sim/faults'), notJson, async (path, body) => {
        const reply = await client.raw('POST', path, body);
        expect(reply.status).toBe(400);
        expect(reply.body['error']).toEqual(expect.any(String));
      }),
      { numRuns: 100 },
    );
  });

  it('broken HTTP on a raw socket never takes the server down', async () => {
    const { port } = client.sim;
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.boolean(), async (bytes, asRequestLine) => {
        const payload = asRequestLine ? Buffer.concat([Buffer.from('POST /card/code/get HTTP/1.1\r\nContent-Length: 9999\r\n'), bytes]) : Buffer.from(bytes);
        await new Promise<void>((resolve) => {
          const socket = connect(port, '127.0.0.1', () => {
            socket.end(payload);
          });
          socket.on('data', () => undefined);
          socket.on('error', () => resolve());
          socket.on('close', () => resolve());
          socket.setTimeout(500, () => socket.destroy());
        });
      }),
      { numRuns: 60 },
    );
    expect((await client.wechat('/card/code/get', { code: DEMO.giftCard500.code }, await client.token())).body['errcode']).toBe(0);
  });
});

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
