/**
 * What terminal.ts plugs in when this counter is enrolled at a store hub (`<dataDir>/hub.json`):
 * the hub's token provider instead of the counter's own, the hub's card guard composed after the
 * local one, the enrolled terminal id, and the background journal push. A counter that is not
 * enrolled gets null and works alone, exactly as before.
 */
import type { SecretBox } from '../config.ts';
import type { Db } from '../journal/db.ts';
import { composeGuards, type CardGuard } from '../redemption/guard.ts';
import type { TokenProvider } from '../wechat/tokens.ts';
import { DEFAULT_LEASE_TTL_MS, HubClient, hubGuard, hubTokenProvider, readHubEnrolment, type HubCardGuard } from './client.ts';
import { JournalSync } from './journal-sync.ts';

export type AttachedHub = Readonly<{
  client: HubClient;
  terminalId: string;
  tokens: TokenProvider;
  /** The hub's guard after `local` (the local one first: processes on this PC, then the counters of the store). */
  guard(local?: CardGuard | null): CardGuard;
  /** Recovery of an interrupted write from what the next holder of the card read (see HubCardGuard). */
  resolveInterrupted: HubCardGuard['resolveInterrupted'];
  journal: JournalSync;
  close(): Promise<void>;
}>;

export function attachHub(
  dataDir: string,
  db: Db,
  options: Readonly<{
    box?: SecretBox;
    env?: Readonly<Record<string, string | undefined>>;
    online?: () => boolean;
    pushIntervalMs?: number;
    /** WeChat request timeout: a lease must outlast a request (the engine checks before each write). */
    requestTimeoutMs?: number;
  }> = {},
): AttachedHub | null {
  const enrolment = readHubEnrolment(dataDir, options.box);
  if (!enrolment) return null;
  const env = options.env ?? process.env;
  const ttl = Number(env.GCTERM_HUB_LEASE_TTL_MS ?? DEFAULT_LEASE_TTL_MS);
  const client = new HubClient(enrolment, { timeoutMs: Number(env.GCTERM_HUB_TIMEOUT_MS ?? 5000) });
  const floor = (options.requestTimeoutMs ?? 10_000) + 3000;
  const guard = hubGuard(client, { ttlMs: Math.max(floor, Number.isFinite(ttl) && ttl >= 1000 ? ttl : DEFAULT_LEASE_TTL_MS) });
  const journal = new JournalSync(db, client, options.online);
  journal.start(options.pushIntervalMs ?? Number(env.GCTERM_HUB_PUSH_MS ?? 3000));
  return {
    client,
    terminalId: enrolment.terminalId,
    tokens: hubTokenProvider(client),
    guard: (local) => (local ? composeGuards(local, guard) : guard),
    resolveInterrupted: (key, redemptionId) => guard.resolveInterrupted(key, redemptionId),
    journal,
    close: () => journal.stop(),
  };
}
