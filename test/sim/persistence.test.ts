import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO, SimDbTooNewError, startSimulator, type SimulatorOptions } from '../../src-main/sim/index.ts';
import { clientFor, T0, type SimClient } from './helpers.ts';

let dir: string;
let dbPath: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gcterm-sim-'));
  dbPath = join(dir, 'nested', 'sim.db');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `fn` against a simulator on the file, then closes it. */
async function withSim<T>(fn: (client: SimClient) => Promise<T>, options: SimulatorOptions = {}): Promise<T> {
  const sim = await startSimulator({ dbPath, ...options });
  try {
    const client = clientFor(sim);
    await client.setClock(T0);
    return await fn(client);
  } finally {
    await sim.close();
  }
}

describe('state on a SQLite file', () => {
  it('keeps balances, history, consumed codes and tokens across a restart, without re-seeding', async () => {
    const entry = DEMO.giftCard8888;
    const token = await withSim(async (client) => {
      const token = await client.token();
      const update = { code: entry.code, card_id: entry.cardId, balance: 3_888, record_balance: '消费 50.00 元' };
      expect((await client.wechat('/card/generalcard/updateuser', update, token)).body['result_balance']).toBe(3_888);
      expect((await client.wechat('/card/code/consume', { code: DEMO.giftCard10.code }, token)).body['errcode']).toBe(0);
      return token;
    });

    await withSim(async (client) => {
      const answer = (await client.wechat('/card/code/get', { code: entry.code }, token)).body;
      expect(answer).toMatchObject({ errcode: 0, card: { balance: 3_888 } });
      expect((await client.wechat('/card/code/get', { code: DEMO.giftCard10.code }, token)).body['errcode']).toBe(40099);
      expect((await client.admin('GET', `/sim/codes/${entry.code}`)).body['history']).toEqual([
        { at: T0, kind: 'updateuser', balanceFen: 3_888, recordBalance: '消费 50.00 元' },
      ]);
      // The shared stable token is still the same one.
      expect(await client.token()).toBe(token);
    });
  });

  it('uses WAL and records the schema version in user_version', async () => {
    await withSim(async () => undefined);
    const db = new Database(dbPath, { readonly: true });
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(1);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
      expect(tables).toEqual(expect.arrayContaining(['cards', 'codes', 'dynamic_codes', 'history', 'refresh_tokens', 'tokens']));
    } finally {
      db.close();
    }
  });

  it('refuses a database written by a newer simulator', async () => {
    await withSim(async () => undefined);
    const db = new Database(dbPath);
    db.pragma('user_version = 99');
    db.close();
    await expect(startSimulator({ dbPath })).rejects.toBeInstanceOf(SimDbTooNewError);
  });

  it('seed: false starts with no cards at all', async () => {
    await withSim(
      async (client) => {
        const token = await client.token();
        expect((await client.wechat('/card/code/get', { code: DEMO.giftCard500.code }, token)).body['errcode']).toBe(40056);
      },
      { seed: false },
    );
  });
});
