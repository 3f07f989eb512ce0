/**
 * Assembles a terminal from its configuration: the journal, the WeChat client with its token
 * provider, and the engine. In SANDBOX mode (no API base configured) the embedded simulator is
 * started first, with its state in `<dataDir>/sim.db`, so a fresh install works out of the box.
 */
import { join } from 'node:path';
import { defaultDataDir, loadConfig, type Config, type SecretBox, type TokenConfig } from './config.ts';
import { ensurePrivateDataDir } from './fs-private.ts';
import { attachHub, type AttachedHub } from './hub/attach.ts';
import { getSecret, putSecret } from './journal/cards.ts';
import { openValue, sealValue } from './sealed-value.ts';
import { openJournal, type Db } from './journal/db.ts';
import { Engine, type EngineOptions } from './redemption/engine.ts';
import { Connectivity, offlinePolicy } from './redemption/offline.ts';
import { DEMO_LOCATION_ID, DEMO_MERCHANT_ID, SANDBOX_APPID, SANDBOX_SECRET, startSimulator, type RunningSimulator } from './sim/index.ts';
import { createHttp, createWeChatClient, type WeChatClient } from './wechat/client.ts';
import { appSecretTokenProvider, componentTokenProvider, relayTokenProvider, staticTokenProvider, type TokenProvider } from './wechat/tokens.ts';

export type Terminal = Readonly<{
  config: Config;
  db: Db;
  client: WeChatClient;
  engine: Engine;
  connectivity: Connectivity;
  apiBase: string;
  sim: RunningSimulator | null;
  /** The store hub when this counter is enrolled (`gcterm enrol`), else null: it works alone. */
  hub: AttachedHub | null;
  close(): Promise<void>;
}>;

export type OpenTerminalOptions = Readonly<{
  dataDir?: string;
  env?: Readonly<Record<string, string | undefined>>;
  engine?: Partial<EngineOptions>;
  /** Who drives this terminal, as other processes on the data dir name it ("gcterm redeem", "counter app"). */
  label?: string;
  /** Seals secrets at rest where the OS offers it (Electron's safeStorage). */
  secretBox?: SecretBox;
}>;

const REFRESH_TOKEN_SECRET = 'authorizer_refresh_token';

function tokenProvider(token: TokenConfig, apiBase: string, timeoutMs: number, db: Db, box: SecretBox | undefined): TokenProvider {
  const http = createHttp(apiBase, timeoutMs);
  switch (token.provider) {
    case 'sandbox':
      return appSecretTokenProvider(http, { appid: SANDBOX_APPID, secret: SANDBOX_SECRET });
    case 'relay':
      return relayTokenProvider(createHttp(token.url, timeoutMs), token.url);
    case 'appsecret':
      return appSecretTokenProvider(http, token);
    case 'component':
      return componentTokenProvider(http, token, {
        // Sealed with the OS secret store where one is offered (sealed-value.ts).
        load: () => openValue(getSecret(db, REFRESH_TOKEN_SECRET), box),
        save: (value) => putSecret(db, REFRESH_TOKEN_SECRET, sealValue(value, box)),
      });
    case 'static':
      return staticTokenProvider(token.accessToken);
  }
}

export async function openTerminal(options: OpenTerminalOptions = {}): Promise<Terminal> {
  const env = options.env ?? process.env;
  const config = loadConfig(options.dataDir ?? defaultDataDir(env), env, options.secretBox);
  ensurePrivateDataDir(config.dataDir);
  const db = openJournal(join(config.dataDir, 'journal.db'));
  let sim: RunningSimulator | null = null;
  let hub: AttachedHub | null = null;
  try {
    let apiBase = config.settings.apiBase;
    let scope = { locationId: config.settings.locationId, merchantId: config.settings.merchantId, allowedCardIds: config.settings.allowedCardIds };
    if (apiBase === null) {
      sim = await startSimulator({ dbPath: join(config.dataDir, 'sim.db'), port: 0 });
      apiBase = sim.url;
      // The sandbox terminal is the demo store of the demo merchant unless configured otherwise.
      scope = { ...scope, locationId: scope.locationId ?? String(DEMO_LOCATION_ID), merchantId: scope.merchantId ?? String(DEMO_MERCHANT_ID) };
    }
    const connectivity = new Connectivity();
    hub = attachHub(config.dataDir, db, { box: options.secretBox, env, online: () => connectivity.status.online, requestTimeoutMs: config.settings.requestTimeoutMs });
    // An enrolled counter never calls a token endpoint: the hub is its one token source.
    const tokens = hub?.tokens ?? tokenProvider(config.settings.token, apiBase, config.settings.requestTimeoutMs, db, options.secretBox);
    const client = createWeChatClient({ baseURL: apiBase, timeoutMs: config.settings.requestTimeoutMs, tokens });
    const engine = new Engine({
      db,
      client,
      terminalId: hub?.terminalId ?? config.settings.terminalId,
      scope,
      offline: offlinePolicy(connectivity, () => config.settings.offline),
      ownerLabel: options.label ?? 'gcterm',
      requestTimeoutMs: config.settings.requestTimeoutMs,
      // How long a redemption waits for a card another process on this PC holds (default: a request timeout + 5 s).
      ...(Number(env.GCTERM_CARD_WAIT_MS) > 0 ? { cardWaitMs: Number(env.GCTERM_CARD_WAIT_MS) } : {}),
      ...(hub ? { guard: hub.guard() } : {}),
      ...options.engine,
    });
    const runningSim = sim;
    const runningHub = hub;
    return {
      config,
      db,
      client,
      engine,
      connectivity,
      apiBase,
      sim,
      hub,
      async close() {
        await runningHub?.close();
        engine.close();
        db.close();
        await runningSim?.close();
      },
    };
  } catch (error) {
    await hub?.close();
    db.close();
    await sim?.close();
    throw error;
  }
}
