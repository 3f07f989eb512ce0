/**
 * Talking to a real simulator over real HTTP, the way a terminal would. Each test gets its own
 * in-memory simulator with the clock frozen at T0, so token and code lifetimes are exact.
 */
import { afterEach, beforeEach } from 'vitest';
import { SANDBOX_APPID, SANDBOX_SECRET, startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src-main/sim/index.ts';

/** 2026-01-01T00:00:00+08:00: inside the demo dynamic card's validity, after the expired one's. */
export const T0 = 1_767_196_800;

export type Json = Record<string, unknown>;
export type Reply = { status: number; body: Json; text: string };

export type SimClient = Readonly<{
  sim: RunningSimulator;
  /** Any method and raw body, e.g. garbage; `query` is appended as given. */
  raw(method: string, path: string, rawBody?: string, query?: Readonly<Record<string, string>>): Promise<Reply>;
  /** POST a JSON body to a WeChat path, with `token` as access_token when given. */
  wechat(path: string, body: unknown, token?: string): Promise<Reply>;
  /** The admin API under /sim/. */
  admin(method: string, path: string, body?: unknown): Promise<Reply>;
  /** A stable_token for the sandbox appid. */
  token(): Promise<string>;
  setClock(now: number): Promise<void>;
  advance(seconds: number): Promise<void>;
}>;

function toJson(text: string): Json {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Json) : { value: parsed };
  } catch {
    return {};
  }
}

export function clientFor(sim: RunningSimulator): SimClient {
  const raw: SimClient['raw'] = async (method, path, rawBody, query) => {
    const search = query ? `?${new URLSearchParams(query).toString()}` : '';
    const response = await fetch(`${sim.url}${path}${search}`, {
      method,
      headers: rawBody === undefined ? {} : { 'content-type': 'application/json' },
      body: rawBody,
    });
    const text = await response.text();
    return { status: response.status, body: toJson(text), text };
  };
  const client: SimClient = {
    sim,
    raw,
    wechat: (path, body, token) => raw('POST', path, JSON.stringify(body), token === undefined ? undefined : { access_token: token }),
    admin: (method, path, body) => raw(method, path, body === undefined ? undefined : JSON.stringify(body)),
    async token() {
      const reply = await raw('POST', '/cgi-bin/stable_token', JSON.stringify({ grant_type: 'client_credential', appid: SANDBOX_APPID, secret: SANDBOX_SECRET }));
      const token = reply.body['access_token'];
      if (typeof token !== 'string') throw new Error(`no token: ${reply.text}`);
      return token;
    },
    async setClock(now) {
      await client.admin('POST', '/sim/clock', { now });
    },
    async advance(seconds) {
      await client.admin('POST', '/sim/clock', { advance: seconds });
    },
  };
  return client;
}

/**
 * A fresh simulator for each test of the calling file, clock frozen at T0. Read `current()`
 * inside a test.
 */
export function useSim(options: SimulatorOptions = {}): () => SimClient {
  let client: SimClient | null = null;
  beforeEach(async () => {
    const sim = await startSimulator(options);
    client = clientFor(sim);
    await client.setClock(T0);
  });
  afterEach(async () => {
    await client?.sim.close();
    client = null;
  });
  return () => {
    if (!client) throw new Error('no simulator running');
    return client;
  };
}
