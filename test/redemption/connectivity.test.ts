import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction } from '../../src-main/journal/db.ts';
import { getRedemption, insertRedemption } from '../../src-main/journal/redemptions.ts';
import { openCore } from '../../src-main/core.ts';
import { DEMO_MERCHANT_ID } from '../../src-main/sim/index.ts';
import { startCable } from '../helpers/cable.ts';
import { startTestSim, type TestSim } from '../helpers/sim.ts';
import { tempDir, terminalEnv } from '../helpers/terminal.ts';
import { until } from '../helpers/until.ts';

let sim: TestSim;
beforeAll(async () => {
  sim = await startTestSim();
});
afterAll(async () => sim.close());

describe('connectivity', () => {
  it('goes offline when the cable is pulled, queues within limits, notices the network is back by itself and forwards the queue', async () => {
    const cable = await startCable(sim.url);
    const dir = tempDir();
    const core = await openCore({ dataDir: dir.path, env: terminalEnv(cable.url, dir.path, { GCTERM_TIMEOUT_MS: '1000' }), replayIntervalMs: 50 });
    try {
      const card = await sim.createCard({ balanceFen: 10_000, merchantId: DEMO_MERCHANT_ID });
      await core['session:signIn']({ pin: '1234' });
      expect((await core['card:lookup']({ code: card.code })).ok).toBe(true);

      await cable.unplug();
      const queued = await core['redemption:submit']({ code: card.code, amount: '20' });
      expect(queued.ok && queued.value).toMatchObject({ state: 'queued', offline: true });
      const offline = await core['status:get']({});
      expect(offline.ok && offline.value).toMatchObject({ online: false, queueDepth: 1, queuedFen: 2000 });
      expect(offline.ok && offline.value.oldestQueuedAt).not.toBeNull();

      await cable.plug();
      await until(() => core['status:get']({}), (s) => s.ok && s.value.online && s.value.queueDepth === 0, 'the queue to drain');
      expect((await sim.code(card.code)).balanceFen).toBe(8_000);
      const day = await core['journal:list']({ date: new Date().toLocaleDateString('sv-SE') });
      expect(day.ok && day.value.map((r) => [r.state, r.offline])).toEqual([['settled', true]]);
    } finally {
      await core.close();
      await cable.close();
      dir.remove();
    }
  });

  it('probes while offline with nothing queued and comes back online without a cashier doing anything', async () => {
    const cable = await startCable(sim.url);
    const dir = tempDir();
    const core = await openCore({ dataDir: dir.path, env: terminalEnv(cable.url, dir.path), replayIntervalMs: 50 });
    try {
      await core['session:signIn']({ pin: '1234' });
      await cable.unplug();
      await core['card:lookup']({ code: '688000000001' });
      expect((await core['status:get']({})).ok && (await core['status:get']({}))).toMatchObject({ value: { online: false } });
      await cable.plug();
      await until(() => core['status:get']({}), (s) => s.ok && s.value.online, 'the probe to find the network');
    } finally {
      await core.close();
      await cable.close();
      dir.remove();
    }
  });

  it('resolves in the background an outcome that could not be read back when it happened', async () => {
    const dir = tempDir();
    const core = await openCore({ dataDir: dir.path, env: terminalEnv(sim.url, dir.path), replayIntervalMs: 50 });
    try {
      const card = await sim.createCard({ balanceFen: 10_000, merchantId: DEMO_MERCHANT_ID });
      await sim.setBalance(card.code, card.cardId, 9_000); // the lost updateuser had landed
      const db = core.terminal.db;
      const row = inTransaction(db, () =>
        insertRedemption(db, {
          id: randomUUID(),
          terminal_id: 'T01',
          cashier: 'alice',
          scanned_code: card.code,
          code_kind: 'card_code',
          scanned_at: Date.now() - 60_000,
          created_at: Date.now() - 60_000,
          amount_fen: 1_000,
          state: 'deducting',
          reason: 'outcome_unknown',
          real_code: card.code,
          card_id: card.cardId,
          sub_card_type: 'GIFT_CARD',
          balance_before_fen: 10_000,
          target_balance_fen: 9_000,
          attempts: 1,
        }),
      );
      const settled = await until(() => getRedemption(db, row.id), (r) => r?.state === 'settled', 'the background read-back');
      expect(settled).toMatchObject({ balance_after_fen: 9_000, reason: null });
    } finally {
      await core.close();
      dir.remove();
    }
  });
});
