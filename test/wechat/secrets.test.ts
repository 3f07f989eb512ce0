/**
 * docs/architecture.md, invariant 7: AppSecrets, refresh tokens and access tokens never appear in full in the
 * log output or in the journal's events and rows, whichever provider fetched them and whatever
 * went wrong on the way (refused tokens, wrong credentials, the service out of reach).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { writeSettingsFile } from '../../src-main/config.ts';
import { configureLogging } from '../../src-main/log.ts';
import { SANDBOX_APPID, SANDBOX_COMPONENT, SANDBOX_SECRET, DEMO_MERCHANT_ID } from '../../src-main/sim/index.ts';
import type { Terminal } from '../../src-main/terminal.ts';
import { createHttp, createWeChatClient } from '../../src-main/wechat/client.ts';
import { appSecretTokenProvider, componentTokenProvider, relayTokenProvider, type TokenProvider } from '../../src-main/wechat/tokens.ts';
import { startTestSim, type TestSim } from '../helpers/sim.ts';
import { openTestTerminal, tempDir } from '../helpers/terminal.ts';

let sim: TestSim;
const lines: string[] = [];

beforeAll(async () => {
  configureLogging({ sink: (line) => lines.push(line), level: 'debug' });
  sim = await startTestSim();
});
afterAll(async () => {
  configureLogging({ sink: (line) => process.stderr.write(`${line}\n`), level: 'warn' });
  await sim.close();
});
beforeEach(async () => {
  lines.length = 0;
  await sim.clearFaults();
});

/** Credentials that are secret in production (the sandbox ones stand in for them). */
const CONFIGURED_SECRETS = [
  SANDBOX_SECRET,
  SANDBOX_COMPONENT.component_appsecret,
  SANDBOX_COMPONENT.component_verify_ticket,
  SANDBOX_COMPONENT.authorizer_refresh_token,
];

/** The shared stable token the sandbox appid currently has (what every appsecret terminal uses). */
async function currentStableToken(): Promise<string> {
  const answer = await sim.http.post('/cgi-bin/stable_token', { grant_type: 'client_credential', appid: SANDBOX_APPID, secret: SANDBOX_SECRET });
  return (answer.data as { access_token: string }).access_token;
}

function expectNoneIn(text: string, secrets: readonly string[]): void {
  expect(secrets.length).toBeGreaterThan(0);
  for (const secret of secrets) {
    expect(secret.length).toBeGreaterThan(8);
    expect(text.includes(secret), `a secret (${secret.slice(0, 4)}…) appears in full`).toBe(false);
  }
}

const codeOf = async (balanceFen: number) => (await sim.createCard({ balanceFen, merchantId: DEMO_MERCHANT_ID })).code;

describe('log output', () => {
  it('names each new token by a 4-character prefix only, for every provider and failure', async () => {
    const seen: string[] = [];
    const use = async (provider: TokenProvider) => {
      const client = createWeChatClient({ baseURL: sim.url, timeoutMs: 2_000, tokens: provider });
      await client.getCode({ code: await codeOf(1_000) });
      seen.push(await provider.getToken());
    };

    const appsecret = appSecretTokenProvider(createHttp(sim.url, 2_000), { appid: SANDBOX_APPID, secret: SANDBOX_SECRET });
    await use(appsecret);
    // A refused token: refreshed (forced) and retried.
    await sim.fault({ path: '/card/code/get', kind: 'errcode', errcode: 40001, times: 1 });
    await use(appsecret);

    const rotated: string[] = [];
    await use(
      componentTokenProvider(
        createHttp(sim.url, 2_000),
        {
          componentAppid: SANDBOX_COMPONENT.component_appid,
          componentAppsecret: SANDBOX_COMPONENT.component_appsecret,
          componentVerifyTicket: SANDBOX_COMPONENT.component_verify_ticket,
          authorizerAppid: SANDBOX_COMPONENT.authorizer_appid,
          authorizerRefreshToken: SANDBOX_COMPONENT.authorizer_refresh_token,
        },
        { load: () => rotated.at(-1) ?? null, save: (value) => void rotated.push(value) },
      ),
    );
    const relayUrl = `${sim.url}/sim/token-relay`;
    await use(relayTokenProvider(createHttp(relayUrl, 2_000), relayUrl));

    // A wrong secret: the TokenError must not carry it either.
    const wrongSecret = 'wrongsecret-0123456789abcdef0123';
    const failing = createWeChatClient({
      baseURL: sim.url,
      timeoutMs: 2_000,
      tokens: appSecretTokenProvider(createHttp(sim.url, 2_000), { appid: SANDBOX_APPID, secret: wrongSecret }),
    });
    const message = await failing.getCode({ code: '688000000001' }).then(
      () => '',
      (error: unknown) => (error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error)),
    );
    expect(message).toContain('40125');

    const log = lines.join('\n');
    // The providers did log their new tokens, masked: this test sees the real log output.
    expect(lines.filter((line) => /new access token \S{4}…\(\d+\)/.test(line)).length).toBeGreaterThanOrEqual(4);
    expect(new Set(seen).size).toBeGreaterThanOrEqual(3);
    expect(rotated.length).toBeGreaterThan(0);
    expectNoneIn(log, [...CONFIGURED_SECRETS, ...seen, ...rotated, wrongSecret]);
    expectNoneIn(message, [wrongSecret, ...seen]);
  });
});

describe('the journal', () => {
  async function journalText(terminal: Terminal): Promise<string> {
    const events = terminal.db.prepare('SELECT kind, data FROM events').all();
    const rows = terminal.db.prepare('SELECT * FROM redemptions').all();
    return JSON.stringify({ events, rows });
  }

  it('keeps no token or secret in its events or rows (appsecret terminal: settled, refreshed, refused)', async () => {
    const dir = tempDir();
    const terminal = await openTestTerminal(sim.url, dir.path);
    const tokens: string[] = [];
    try {
      const redeem = (code: string, amount: string) => terminal.engine.redeem({ code, amount, cashier: 'alice' });
      expect((await redeem(await codeOf(10_000), '10')).ok).toBe(true);
      tokens.push(await currentStableToken());
      await sim.fault({ path: '/card/generalcard/updateuser', kind: 'errcode', errcode: 40001, times: 2 });
      const refused = await redeem(await codeOf(10_000), '10');
      expect(refused.ok && refused.value.reason).toBe('token_failed');
      tokens.push(await currentStableToken());
      await sim.clearFaults();
      await sim.fault({ path: '/card/code/get', kind: 'errcode', errcode: 42001, times: 1 });
      expect((await terminal.engine.lookup(await codeOf(10_000))).ok).toBe(true);
      tokens.push(await currentStableToken());

      const text = await journalText(terminal);
      expect(text).toContain('/card/generalcard/updateuser');
      expectNoneIn(text, [...CONFIGURED_SECRETS, ...new Set(tokens)]);
      expectNoneIn(lines.join('\n'), [...CONFIGURED_SECRETS, ...new Set(tokens)]);
    } finally {
      await terminal.close();
      dir.remove();
    }
  });

  it('keeps no token or secret in its events or rows (third-party component terminal)', async () => {
    const dir = tempDir();
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
    // Empty AppSecret variables leave the settings file's provider in charge.
    const terminal = await openTestTerminal(sim.url, dir.path, { env: { GCTERM_APPID: '', GCTERM_APPSECRET: '' } });
    try {
      const result = await terminal.engine.redeem({ code: await codeOf(10_000), amount: '1', cashier: 'alice' });
      expect(result.ok && result.value.state).toBe('settled');
      const saved = terminal.db.prepare('SELECT value FROM secrets').all() as Array<{ value: string }>;
      expect(saved).toHaveLength(1);
      const rotated = saved.map((row) => row.value);
      const text = await journalText(terminal);
      expectNoneIn(text, [...CONFIGURED_SECRETS, ...rotated]);
      expectNoneIn(lines.join('\n'), [...CONFIGURED_SECRETS, ...rotated]);
    } finally {
      await terminal.close();
      dir.remove();
    }
  });
});
