/**
 * The component provider's rotated authorizer_refresh_token at rest: sealed with the OS secret
 * box when one is offered (never in clear in journal.db or its WAL), read back after a restart
 * once the old token is dead, and a clear value written by the CLI (no box) still read by the app.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeSettingsFile, type SecretBox } from '../../src-main/config.ts';
import { DEMO_MERCHANT_ID, SANDBOX_COMPONENT } from '../../src-main/sim/index.ts';
import { openTerminal, type Terminal } from '../../src-main/terminal.ts';
import { startTestSim, type TestSim } from '../helpers/sim.ts';
import { tempDir, terminalEnv } from '../helpers/terminal.ts';

/** Stands in for Electron's safeStorage (cannot run here): reversible, keyed to "this user". */
const FakeSecretBox = (user: string): SecretBox => ({
  encrypt: (plain) => Buffer.from(`${user}:${plain}`).toString('base64'),
  decrypt: (sealed) => {
    const text = Buffer.from(sealed, 'base64').toString();
    if (!text.startsWith(`${user}:`)) throw new Error('not this user');
    return text.slice(user.length + 1);
  },
});

let sim: TestSim;
let dir: ReturnType<typeof tempDir>;
const box = FakeSecretBox('cashier-pc');

// A simulator per test: each test rotates (and so kills) the sandbox's configured refresh token.
beforeEach(async () => {
  sim = await startTestSim();
  dir = tempDir();
  writeSettingsFile(dir.path, {
    token: {
      provider: 'component',
      componentAppid: SANDBOX_COMPONENT.component_appid,
      componentAppsecret: SANDBOX_COMPONENT.component_appsecret,
      componentVerifyTicket: SANDBOX_COMPONENT.component_verify_ticket,
      authorizerAppid: SANDBOX_COMPONENT.authorizer_appid,
      authorizerRefreshToken: SANDBOX_COMPONENT.authorizer_refresh_token,
    },
  });
});
afterEach(async () => {
  dir.remove();
  await sim.close();
});

const env = () => terminalEnv(sim.url, dir.path, { GCTERM_APPID: '', GCTERM_APPSECRET: '' });

const newCard = async () => (await sim.createCard({ balanceFen: 1_000, merchantId: DEMO_MERCHANT_ID })).code;

async function redeemOnce(secretBox: SecretBox | undefined, code: string): Promise<string> {
  const terminal: Terminal = await openTerminal({ dataDir: dir.path, env: env(), secretBox, engine: { backoffMs: () => 0 } });
  try {
    const result = await terminal.engine.redeem({ code, amount: '1', cashier: 'alice' });
    expect(result.ok && result.value.state, JSON.stringify(result)).toBe("settled");
    return (terminal.db.prepare("SELECT value FROM secrets WHERE name = 'authorizer_refresh_token'").get() as { value: string }).value;
  } finally {
    await terminal.close();
  }
}

const onDisk = () =>
  ['journal.db', 'journal.db-wal']
    .map((file) => join(dir.path, file))
    .filter(existsSync)
    .map((path) => readFileSync(path).toString('latin1'))
    .join('');

describe('the rotated refresh token', () => {
  it('is sealed when the OS offers a secret box, nowhere in clear on disk, and read back after a restart', async () => {
    const [first, second] = [await newCard(), await newCard()];
    const stored = await redeemOnce(box, first);
    expect(stored.startsWith('enc:v1:')).toBe(true);
    const rotated = box.decrypt(stored.slice('enc:v1:'.length));
    expect(rotated).not.toBe(SANDBOX_COMPONENT.authorizer_refresh_token);
    expect(onDisk()).not.toContain(rotated);

    // The configured token is dead once the overlap has passed: only the sealed one works now.
    await sim.clock({ advance: 3_600 });
    const next = await redeemOnce(box, second);
    expect(box.decrypt(next.slice('enc:v1:'.length))).not.toBe(rotated);
  });

  it('a clear token the CLI saved (no box) is read by the app, and sealed at its next rotation', async () => {
    const [first, second] = [await newCard(), await newCard()];
    const clear = await redeemOnce(undefined, first);
    expect(clear.startsWith('enc:v1:')).toBe(false);
    await sim.clock({ advance: 3_600 });
    const sealed = await redeemOnce(box, second);
    expect(sealed.startsWith('enc:v1:')).toBe(true);
    expect(onDisk()).not.toContain(box.decrypt(sealed.slice('enc:v1:'.length)));
  });
});
