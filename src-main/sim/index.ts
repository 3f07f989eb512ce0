/**
 * The embedded WeChat card API simulator: the default API of a fresh install ("SANDBOX"), the
 * demo and training peer, and the test peer for everything that talks to WeChat. It answers the
 * endpoints of docs/wechat-api.md over real HTTP on 127.0.0.1, keeps its state in its own SQLite
 * file, and offers an admin API under /sim/ (see README.md in this folder).
 */
import type { AddressInfo } from 'node:net';
import { ensureInitialRefreshToken, seedDemoCatalogue } from './catalogue.ts';
import { createClock } from './clock.ts';
import { SANDBOX_APPID, SANDBOX_SECRET } from './constants.ts';
import { createFaultRegistry } from './faults.ts';
import { createRequestLog } from './request-log.ts';
import { createSimServer } from './server.ts';
import { countCards, openSimDb } from './store.ts';

export {
  DEMO,
  DEMO_CARD_IDS,
  DEMO_LOCATION_ID,
  DEMO_MERCHANT_ID,
  OTHER_LOCATION_IDS,
  OTHER_MERCHANT_ID,
  SANDBOX_APPID,
  SANDBOX_COMPONENT,
  SANDBOX_SECRET,
  type DemoEntry,
  type SubCardType,
  type UserCardStatus,
} from './constants.ts';
export { SimDbTooNewError } from './store.ts';
export { FAULT_KINDS, type FaultKind, type FaultSpec } from './faults.ts';

export type SimulatorOptions = Readonly<{
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1: the sandbox is for this machine only. */
  host?: string;
  /** The SQLite file; omitted: a private in-memory database, gone on close. */
  dbPath?: string;
  appid?: string;
  secret?: string;
  /** Seed the demo catalogue (DEMO) into an empty database. Default true. */
  seed?: boolean;
  /** The real-time source in milliseconds since the epoch, like Date.now (the default). */
  now?: () => number;
  /** Told of unexpected failures (bugs: the client got -1); by default they go to stderr. */
  onError?: (error: unknown) => void;
}>;

export type RunningSimulator = Readonly<{
  /** e.g. http://127.0.0.1:PORT, without a trailing slash. */
  url: string;
  port: number;
  appid: string;
  secret: string;
  close(): Promise<void>;
}>;

function reportToStderr(error: unknown): void {
  process.stderr.write(`[sim] unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const appid = options.appid ?? SANDBOX_APPID;
  const secret = options.secret ?? SANDBOX_SECRET;
  const host = options.host ?? '127.0.0.1';
  const clock = createClock(options.now ?? Date.now);
  const db = openSimDb(options.dbPath);
  try {
    ensureInitialRefreshToken(db, clock.nowSeconds());
    if ((options.seed ?? true) && countCards(db) === 0) seedDemoCatalogue(db, clock.nowSeconds());
    const sim = createSimServer({
      ctx: { db, clock, appid, secret },
      faults: createFaultRegistry(),
      requests: createRequestLog(),
      onError: options.onError ?? reportToStderr,
    });
    await new Promise<void>((resolve, reject) => {
      sim.server.once('error', reject);
      sim.server.listen(options.port ?? 0, host, () => {
        sim.server.off('error', reject);
        resolve();
      });
    });
    const port = (sim.server.address() as AddressInfo).port;
    const urlHost = host.includes(':') ? `[${host}]` : host;
    let closing: Promise<void> | null = null;
    return {
      url: `http://${urlHost}:${port}`,
      port,
      appid,
      secret,
      close() {
        closing ??= sim.close().finally(() => db.close());
        return closing;
      },
    };
  } catch (error) {
    db.close();
    throw error;
  }
}
