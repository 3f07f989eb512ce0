/**
 * The counter's side of the store hub: the enrolment file, signed calls, the card guard (leases),
 * the `hub` token provider, and the hub's state for the status bar. The background journal push
 * lives in journal-sync.ts.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import axios, { type AxiosInstance } from 'axios';
import { z } from 'zod';
import { ConfigError, type SecretBox } from '../config.ts';
import { createLogger, maskSecret } from '../log.ts';
import { CardBusyError, CardHoldLostError, GuardUnavailableError, type CardGuard, type CardHold, type HoldRequest } from '../redemption/guard.ts';
import { TokenError, WeChatError } from '../wechat/errors.ts';
import type { TokenProvider } from '../wechat/tokens.ts';
import { AcquireAnswer, BusyAnswer, HistoryAnswer, HubErrorAnswer, newKeyPair, signer, TokenAnswer, type LeaseHistory, type Signer } from './protocol.ts';

const log = createLogger('hub-client');

// ---- the enrolment file: <dataDir>/hub.json (0600) ----

const SEALED_PREFIX = 'enc:v1:';

const HubFileSchema = z.object({
  url: z.string().url(),
  terminalId: z.string().min(1),
  storeId: z.string().min(1),
  /** PKCS#8 PEM, sealed with the OS's secret storage where it is offered. */
  privateKey: z.string().min(1),
  publicKey: z.string().min(1),
  /** PEM of the hub's certificate authority when it is not publicly trusted (self-signed). */
  ca: z.string().nullable().default(null),
  enrolledAt: z.string(),
});
export type HubEnrolment = Readonly<Omit<z.infer<typeof HubFileSchema>, 'privateKey'> & { privateKeyPem: string }>;

export const hubFilePath = (dataDir: string) => join(dataDir, 'hub.json');

export class HubEnrolmentError extends ConfigError {}

/** This counter's enrolment, or null when it works alone. */
export function readHubEnrolment(dataDir: string, box?: SecretBox): HubEnrolment | null {
  const path = hubFilePath(dataDir);
  if (!existsSync(path)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new HubEnrolmentError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  const parsed = HubFileSchema.safeParse(raw);
  if (!parsed.success) throw new HubEnrolmentError(`${path}: ${parsed.error.issues[0]?.path.join('.') ?? '?'}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const { privateKey, ...rest } = parsed.data;
  let privateKeyPem = privateKey;
  if (privateKey.startsWith(SEALED_PREFIX)) {
    if (!box) throw new HubEnrolmentError(`${path}: the counter's key was sealed by the desktop app and can only be read there`);
    privateKeyPem = box.decrypt(privateKey.slice(SEALED_PREFIX.length));
  }
  return { ...rest, privateKeyPem };
}

function writeHubFile(dataDir: string, content: z.infer<typeof HubFileSchema>): void {
  mkdirSync(dataDir, { recursive: true });
  const path = hubFilePath(dataDir);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
  chmodSync(path, 0o600);
}

function hubHttp(url: string, ca: string | null, timeoutMs: number): AxiosInstance {
  return axios.create({
    baseURL: url,
    timeout: timeoutMs,
    proxy: false,
    validateStatus: () => true,
    responseType: 'json',
    transitional: { clarifyTimeoutError: true },
    httpAgent: new HttpAgent({ keepAlive: true }),
    httpsAgent: new HttpsAgent({ keepAlive: true, ...(ca ? { ca } : {}) }),
  });
}

/** `gcterm enrol <hub-url> <code>`: makes this counter's key pair and registers its public half. */
export async function enrolWithHub(
  dataDir: string,
  hubUrl: string,
  code: string,
  options: Readonly<{ box?: SecretBox; ca?: string | null; version?: string; timeoutMs?: number }> = {},
): Promise<HubEnrolment> {
  const keys = newKeyPair();
  const http = hubHttp(hubUrl, options.ca ?? null, options.timeoutMs ?? 10_000);
  let response;
  try {
    response = await http.post('/v1/enrol', { code, publicKey: keys.publicKeyPem, version: options.version });
  } catch (error) {
    throw new HubEnrolmentError(`the hub at ${hubUrl} cannot be reached: ${(error as Error).message}`);
  }
  if (response.status !== 200) {
    const answer = HubErrorAnswer.safeParse(response.data);
    throw new HubEnrolmentError(answer.success ? `${answer.data.message} / ${answer.data.messageZh}` : `the hub answered HTTP ${response.status}`);
  }
  const enrolled = z.object({ terminalId: z.string(), storeId: z.string() }).parse(response.data);
  const content = {
    url: hubUrl.replace(/\/+$/, ''),
    terminalId: enrolled.terminalId,
    storeId: enrolled.storeId,
    privateKey: options.box ? `${SEALED_PREFIX}${options.box.encrypt(keys.privateKeyPem)}` : keys.privateKeyPem,
    publicKey: keys.publicKeyPem,
    ca: options.ca ?? null,
    enrolledAt: new Date().toISOString(),
  };
  writeHubFile(dataDir, content);
  return { ...content, privateKeyPem: keys.privateKeyPem };
}

// ---- the hub's state, for the status bar ----

export type HubState = Readonly<{ state: 'online' | 'offline' | 'refused'; since: number; lastError: string | null }>;

export class HubLink {
  private current: HubState = { state: 'online', since: Date.now(), lastError: null };
  private readonly listeners = new Set<(state: HubState) => void>();
  get status(): HubState {
    return this.current;
  }
  report(state: HubState['state'], error: string | null = null): void {
    if (state === this.current.state) {
      if (error !== null) this.current = { ...this.current, lastError: error };
      return;
    }
    this.current = { state, since: Date.now(), lastError: error };
    if (state !== 'online') log.warn(`store hub ${state}: ${error ?? ''}`);
    for (const listener of this.listeners) listener(this.current);
  }
  onChange(listener: (state: HubState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

// ---- signed calls ----

/** The hub refused this counter itself (revoked, not enrolled, forged): not a passing outage. */
export class HubRefusedError extends GuardUnavailableError {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'HubRefusedError';
    this.code = code;
  }
}

export type HubAnswer = Readonly<{ status: number; data: unknown }>;

export class HubClient {
  readonly enrolment: HubEnrolment;
  readonly link = new HubLink();
  private readonly http: AxiosInstance;
  private readonly sign: Signer;

  constructor(enrolment: HubEnrolment, options: Readonly<{ timeoutMs?: number }> = {}) {
    this.enrolment = enrolment;
    this.http = hubHttp(enrolment.url, enrolment.ca, options.timeoutMs ?? 5000);
    this.sign = signer(enrolment.terminalId, enrolment.privateKeyPem);
  }

  get terminalId(): string {
    return this.enrolment.terminalId;
  }

  /**
   * A signed call. Rejects GuardUnavailableError when the hub cannot be reached or answers 5xx
   * (the hub is down: offline rules), HubRefusedError when it refuses this counter; answers any
   * other status to the caller.
   */
  async call(method: 'GET' | 'POST', path: string, body?: unknown, timeoutMs?: number): Promise<HubAnswer> {
    const text = body === undefined ? '' : JSON.stringify(body);
    let response;
    try {
      response = await this.http.request({
        method,
        url: path,
        data: text === '' ? undefined : text,
        headers: { ...this.sign(method, path, text), ...(text === '' ? {} : { 'content-type': 'application/json' }) },
        timeout: timeoutMs,
        transformRequest: [(data: unknown) => data],
      });
    } catch (error) {
      const message = `store hub unreachable: ${(error as Error).message}`;
      this.link.report('offline', message);
      throw new GuardUnavailableError(message);
    }
    if (response.status >= 500) {
      const message = `store hub unavailable: HTTP ${response.status}`;
      this.link.report('offline', message);
      throw new GuardUnavailableError(message);
    }
    if (response.status === 401 || response.status === 403) {
      const answer = HubErrorAnswer.safeParse(response.data);
      const code = answer.success ? answer.data.error : 'unauthenticated';
      const message = answer.success ? `${answer.data.message} / ${answer.data.messageZh}` : `HTTP ${response.status}`;
      this.link.report('refused', message);
      throw new HubRefusedError(code, `the store hub refused this counter: ${message}`);
    }
    this.link.report('online');
    return { status: response.status, data: response.data };
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.call('GET', '/v1/ping')).status === 200;
    } catch {
      return false;
    }
  }
}

// ---- the card guard ----

export type HubGuardOptions = Readonly<{
  /** Lease time asked for, renewed in the background at a third of it while the work goes on. */
  ttlMs?: number;
  now?: () => number;
}>;

export const DEFAULT_LEASE_TTL_MS = 20_000;

function failure(answer: HubAnswer, what: string): Error {
  const parsed = HubErrorAnswer.safeParse(answer.data);
  if (parsed.success && parsed.data.error === 'stale_fence') return new CardHoldLostError(`${what}: ${parsed.data.message}`);
  return new GuardUnavailableError(`${what}: ${parsed.success ? parsed.data.message : `HTTP ${answer.status}`}`);
}

/** The hub's guard, plus what only a shared guard can answer. */
export type HubCardGuard = Omit<CardGuard, 'resolveInterrupted'> &
  Readonly<{
    /**
     * For recovery of an interrupted write: did it land? Answered from what the next holder of the
     * card read (see HubStore.history); 'unknown' when nobody has read the card since.
     */
    resolveInterrupted(key: string, redemptionId: string): Promise<LeaseHistory>;
  }>;

export function hubGuard(hub: HubClient, options: HubGuardOptions = {}): HubCardGuard {
  const ttlMs = options.ttlMs ?? DEFAULT_LEASE_TTL_MS;
  const now = options.now ?? Date.now;
  return {
    async acquire(request: HoldRequest): Promise<CardHold> {
      const sentAt = now();
      const answer = await hub.call('POST', '/v1/leases/acquire', { key: request.key, redemptionId: request.redemptionId, purpose: request.purpose, waitMs: Math.min(60_000, Math.max(0, Math.round(request.waitMs))), ttlMs }, request.waitMs + 10_000);
      if (answer.status === 409) {
        const busy = BusyAnswer.safeParse(answer.data);
        throw new CardBusyError(`counter ${busy.success ? busy.data.holder : '?'}`);
      }
      if (answer.status !== 200) throw failure(answer, 'lease');
      const granted = AcquireAnswer.parse(answer.data);
      const fence = granted.fence;
      // Counted from before the request was sent: the hub's TTL started later than that.
      let expiresAt = sentAt + granted.ttlMs;
      let lost = false;
      let released = false;
      const renew = async () => {
        if (lost) throw new CardHoldLostError();
        const started = now();
        const renewed = await hub.call('POST', '/v1/leases/renew', { key: request.key, fence, ttlMs });
        if (renewed.status !== 200) {
          const error = failure(renewed, 'lease renewal');
          if (error instanceof CardHoldLostError) {
            lost = true;
            expiresAt = 0;
          }
          throw error;
        }
        expiresAt = started + ttlMs;
      };
      // Renewed while the work goes on; a process that dies stops renewing and the lease lapses.
      const timer = setInterval(() => {
        if (!released && !lost) void renew().catch(() => undefined);
      }, Math.max(500, Math.floor(ttlMs / 3)));
      timer.unref();
      return {
        fence,
        remainingMs: () => (lost || released ? 0 : Math.max(0, expiresAt - now())),
        renew,
        async observe(observation) {
          if (lost) throw new CardHoldLostError();
          const body: Record<string, unknown> = { key: request.key, fence, balanceBeforeFen: observation.balanceBeforeFen };
          if (observation.balanceSetFen !== undefined) body.balanceSetFen = observation.balanceSetFen;
          const answer = await hub.call('POST', '/v1/leases/observe', body);
          if (answer.status !== 200) {
            const error = failure(answer, 'lease observation');
            if (error instanceof CardHoldLostError) lost = true;
            throw error;
          }
        },
        async release() {
          if (released) return;
          released = true;
          clearInterval(timer);
          await hub.call('POST', '/v1/leases/release', { key: request.key, fence }).catch((error: unknown) => log.warn(`lease release: ${(error as Error).message}`));
        },
      };
    },
    async resolveInterrupted(key: string, redemptionId: string) {
      const answer = await hub.call('POST', '/v1/leases/history', { key, redemptionId });
      if (answer.status !== 200) throw failure(answer, 'lease history');
      return HistoryAnswer.parse(answer.data);
    },
    async claimDynamicCode(code: string, redemptionId: string) {
      const answer = await hub.call('POST', '/v1/dynamic/claim', { code, redemptionId });
      if (answer.status !== 200) throw failure(answer, 'dynamic code claim');
      return z.object({ result: z.enum(['claimed', 'replay']) }).parse(answer.data).result;
    },
    async releaseDynamicCode(code: string, redemptionId: string) {
      const answer = await hub.call('POST', '/v1/dynamic/release', { code, redemptionId });
      if (answer.status !== 200) throw failure(answer, 'dynamic code release');
    },
  };
}

// ---- the `hub` token provider ----

/**
 * Tokens come from the hub alone: an enrolled counter never calls a WeChat token endpoint. A
 * refused token is reported to the hub, which refreshes only if it is still the current one.
 */
export function hubTokenProvider(hub: HubClient, now: () => number = Date.now): TokenProvider {
  let cached: { token: string; until: number } | null = null;
  let inFlight: Promise<string> | null = null;
  return {
    name: 'hub',
    getToken() {
      if (cached && now() < cached.until) return Promise.resolve(cached.token);
      inFlight ??= (async () => {
        let answer: HubAnswer;
        try {
          answer = await hub.call('GET', '/v1/token');
        } catch (error) {
          if (error instanceof HubRefusedError) throw new TokenError(error.message);
          // The hub out of reach is like WeChat out of reach: offline rules apply.
          throw new WeChatError('hub token', { kind: 'unreachable', detail: (error as Error).message });
        }
        if (answer.status !== 200) {
          const parsed = HubErrorAnswer.safeParse(answer.data);
          throw new TokenError(`hub token: ${parsed.success ? parsed.data.message : `HTTP ${answer.status}`}`);
        }
        const token = TokenAnswer.parse(answer.data);
        cached = { token: token.token, until: now() + Math.max(0, token.validForMs - 1000) };
        return token.token;
      })().finally(() => {
        inFlight = null;
      });
      return inFlight;
    },
    invalidate(token) {
      if (cached?.token === token) cached = null;
      log.info(`token ${maskSecret(token)} refused by WeChat: reported to the hub`);
      void hub.call('POST', '/v1/token/refused', { token }).catch(() => undefined);
    },
  };
}
