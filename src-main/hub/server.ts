/**
 * `gcterm hub serve`: the store hub's HTTP(S) API. Stateless: every decision is a statement in
 * PostgreSQL (store.ts), so several processes can serve one database. Every call but enrolment is
 * signed by an enrolled counter (protocol.ts); bodies are size-limited and validated with zod;
 * every refusal answers a clear message in English and Chinese and leaves a row in hub_audit.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import type { z } from 'zod';
import { createLogger } from '../log.ts';
import type { TokenProvider } from '../wechat/tokens.ts';
import { migrateHub } from './migrations.ts';
import {
  AcquireBody,
  DynamicBody,
  EnrolBody,
  enrolmentCodeHash,
  HEADER,
  HistoryBody,
  HUB_ERRORS,
  JournalBody,
  LeaseBody,
  MAX_BODY_BYTES,
  ObserveBody,
  RenewBody,
  SKEW_MS,
  TokenRefusedBody,
  verifySignature,
  type HubErrorCode,
} from './protocol.ts';
import { dayReport, HubStore, LEASE_CHANNEL, listTerminals, openHubPool } from './store.ts';
import { tokenSource, type TokenSource, type TokenState } from './token-source.ts';

const log = createLogger('hub');

export type HubOptions = Readonly<{
  db: string;
  host?: string;
  port?: number;
  tls?: Readonly<{ certFile: string; keyFile: string }>;
  /** Plain HTTP on a non-loopback address: only when explicitly allowed. */
  allowInsecure?: boolean;
  /** The WeChat token provider (null: the hub hands out no tokens; leases and journals still work). */
  tokens: ((state: TokenState) => TokenProvider) | null;
  /** How often waiters re-check a busy card besides being woken by NOTIFY (expiries). */
  pollMs?: number;
  poolSize?: number;
}>;

export type RunningHub = Readonly<{ url: string; store: HubStore; tokenSource: TokenSource | null; close(): Promise<void> }>;

export class HubConfigError extends Error {}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

class Refusal extends Error {
  readonly code: HubErrorCode;
  readonly extra: Readonly<Record<string, unknown>>;
  constructor(code: HubErrorCode, detail?: string, extra: Readonly<Record<string, unknown>> = {}) {
    super(detail ?? HUB_ERRORS[code].en);
    this.code = code;
    this.extra = extra;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) return Promise.reject(new Refusal('too_large', `${declared} bytes (at most ${MAX_BODY_BYTES})`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Refusal('too_large', `more than ${MAX_BODY_BYTES} bytes`));
        req.pause();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parse<S extends z.ZodType>(schema: S, body: string): z.infer<S> {
  let json: unknown;
  try {
    json = body === '' ? {} : JSON.parse(body);
  } catch {
    throw new Refusal('malformed', 'the body is not JSON');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Refusal('malformed', `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

function isDatabaseDown(error: unknown): boolean {
  const code = (error as { code?: string }).code ?? '';
  return ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P01', '57P02', '57P03', '08000', '08003', '08006'].includes(code) || /Connection terminated|connect/.test(String((error as Error).message));
}

export async function startHub(options: HubOptions): Promise<RunningHub> {
  const host = options.host ?? '127.0.0.1';
  if (!options.tls && !LOOPBACK.has(host) && !options.allowInsecure) {
    throw new HubConfigError(`plain HTTP on ${host} would send card codes unencrypted: give --tls-cert and --tls-key, or --allow-insecure`);
  }
  const pool = openHubPool(options.db, options.poolSize ?? 20);
  const relaxed = openHubPool(options.db, Math.max(2, Math.ceil((options.poolSize ?? 20) / 2)), true);
  try {
    await migrateHub(pool);
  } catch (error) {
    await pool.end().catch(() => undefined);
    await relaxed.end().catch(() => undefined);
    throw error;
  }
  const store = new HubStore(pool, relaxed);
  const state: TokenState = { refreshToken: null };
  const tokens = options.tokens ? tokenSource(pool, options.tokens(state), state) : null;
  const pollMs = options.pollMs ?? 100;

  // Waiters for a card are woken by NOTIFY from whichever hub process released it.
  const waiters = new Map<string, Set<() => void>>();
  const wake = (key: string) => {
    for (const resolve of waiters.get(key) ?? []) resolve();
  };
  let listener: pg.Client | null = null;
  let closing = false;
  const listen = async () => {
    if (closing) return;
    const client = new pg.Client({ connectionString: options.db, application_name: 'gcterm-hub-listen' });
    client.on('error', () => {
      listener = null;
      void client.end().catch(() => undefined);
      if (!closing) setTimeout(() => void listen().catch(() => undefined), 1000).unref();
    });
    client.on('notification', (message) => {
      if (message.payload) wake(message.payload);
    });
    await client.connect();
    await client.query(`LISTEN ${LEASE_CHANNEL}`);
    listener = client;
  };
  await listen();
  const waitForCard = (key: string, ms: number) =>
    new Promise<void>((resolve) => {
      const set = waiters.get(key) ?? new Set();
      waiters.set(key, set);
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        if (set.size === 0) waiters.delete(key);
        resolve();
      };
      const timer = setTimeout(done, ms);
      set.add(done);
    });

  const purge = setInterval(() => void store.purgeNonces().catch(() => undefined), 60_000);
  purge.unref();

  async function authenticate(req: IncomingMessage, path: string, body: string): Promise<string> {
    const header = (name: string) => {
      const value = req.headers[name];
      return typeof value === 'string' ? value : null;
    };
    const terminalId = header(HEADER.terminal);
    const timestamp = header(HEADER.timestamp);
    const nonce = header(HEADER.nonce);
    const signature = header(HEADER.signature);
    if (!terminalId || !timestamp || !nonce || !signature || terminalId.length > 64 || nonce.length > 64) throw new Refusal('unauthenticated');
    const at = Number(timestamp);
    if (!Number.isFinite(at) || Math.abs(Date.now() - at) > SKEW_MS) throw new Refusal('replayed', 'the request timestamp is outside the clock window');
    let key = await store.publicKey(terminalId);
    if (!key) throw new Refusal('unauthenticated', `no enrolled counter ${terminalId}`);
    if (!verifySignature(key, req.method ?? '', path, timestamp, nonce, body, signature)) {
      // The counter may have enrolled again since the key was cached.
      key = await store.publicKey(terminalId, true);
      if (!key || !verifySignature(key, req.method ?? '', path, timestamp, nonce, body, signature)) throw new Refusal('forged');
    }
    const outcome = await store.admit(terminalId, nonce);
    if (outcome === 'revoked') throw new Refusal('revoked');
    if (outcome === 'replayed') throw new Refusal('replayed', 'this request was already received (replayed nonce)');
    if (outcome === 'unknown') throw new Refusal('unauthenticated');
    return terminalId;
  }

  async function acquire(terminalId: string, body: z.infer<typeof AcquireBody>) {
    const started = Date.now();
    const deadline = started + body.waitMs;
    let ticket: string | null = null;
    try {
      for (;;) {
        const granted = await store.tryAcquire(terminalId, body, ticket, Date.now() - started);
        if (granted) return { fence: granted.fence, ttlMs: body.ttlMs, previous: granted.previous };
        const remaining = deadline - Date.now();
        if (remaining <= 0) {
          const holder = (await store.holder(body.key)) ?? 'another counter';
          throw new Refusal('card_busy', `the card is in use at counter ${holder}`, { holder });
        }
        if (ticket === null) ticket = await store.enqueue(body.key, body.redemptionId);
        else await store.heartbeat(ticket);
        await waitForCard(body.key, Math.min(pollMs, remaining));
      }
    } finally {
      if (ticket !== null) await store.dequeue(ticket).catch(() => undefined);
    }
  }

  async function route(method: string, path: string, req: IncomingMessage, body: string): Promise<unknown> {
    const url = new URL(path, 'http://hub');
    if (method === 'POST' && url.pathname === '/v1/enrol') {
      const input = parse(EnrolBody, body);
      const enrolled = await store.completeEnrolment(enrolmentCodeHash(input.code), input.publicKey, input.version ?? null);
      if (!enrolled) throw new Refusal('code_invalid');
      log.info(`counter ${enrolled.terminalId} enrolled (store ${enrolled.storeId})`);
      return enrolled;
    }
    const known = ROUTES.has(`${method} ${url.pathname}`);
    if (!known) throw new Refusal('not_found');
    const terminalId = await authenticate(req, path, body);
    switch (`${method} ${url.pathname}`) {
      case 'GET /v1/ping':
        return { terminalId, at: Date.now() };
      case 'POST /v1/leases/acquire':
        return acquire(terminalId, parse(AcquireBody, body));
      case 'POST /v1/leases/renew': {
        const input = parse(RenewBody, body);
        if (!(await store.renew(terminalId, input.key, input.fence, input.ttlMs))) throw new Refusal('stale_fence');
        return { fence: input.fence, ttlMs: input.ttlMs };
      }
      case 'POST /v1/leases/observe': {
        const input = parse(ObserveBody, body);
        if (!(await store.observe(terminalId, input.key, input.fence, input.balanceBeforeFen, input.balanceSetFen))) throw new Refusal('stale_fence');
        return { ok: true };
      }
      case 'POST /v1/leases/release': {
        const input = parse(LeaseBody, body);
        return { released: await store.release(terminalId, input.key, input.fence) };
      }
      case 'POST /v1/leases/history': {
        const input = parse(HistoryBody, body);
        return store.history(terminalId, input.key, input.redemptionId);
      }
      case 'POST /v1/dynamic/claim': {
        const input = parse(DynamicBody, body);
        return { result: await store.claimDynamic(terminalId, input.code, input.redemptionId) };
      }
      case 'POST /v1/dynamic/release': {
        const input = parse(DynamicBody, body);
        await store.releaseDynamic(terminalId, input.code, input.redemptionId);
        return { ok: true };
      }
      case 'GET /v1/token': {
        if (!tokens) throw new Refusal('token_unavailable', 'this hub has no WeChat credentials configured');
        try {
          return await tokens.get();
        } catch (error) {
          if (isDatabaseDown(error)) throw error;
          throw new Refusal('token_unavailable', `${HUB_ERRORS.token_unavailable.en}: ${(error as Error).message}`);
        }
      }
      case 'POST /v1/token/refused': {
        const input = parse(TokenRefusedBody, body);
        return { refreshed: tokens ? await tokens.refused(input.token) : false };
      }
      case 'GET /v1/journal/head':
        return { headSeq: await store.journalHead(terminalId) };
      case 'POST /v1/journal': {
        const input = parse(JournalBody, body);
        const result = await store.pushJournal(terminalId, input);
        if (result.problem) {
          log.warn(`counter ${terminalId}: ${result.problem}`);
          throw new Refusal('journal_diverged', result.problem, { headSeq: result.headSeq });
        }
        return { headSeq: result.headSeq, accepted: result.accepted };
      }
      case 'GET /v1/terminals': {
        const own = (await listTerminals(pool)).find((t) => t.terminalId === terminalId);
        return listTerminals(pool, own?.storeId);
      }
      case 'GET /v1/report': {
        const own = (await listTerminals(pool)).find((t) => t.terminalId === terminalId);
        const date = url.searchParams.get('date') ?? '';
        if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Refusal('malformed', 'date: YYYY-MM-DD');
        return dayReport(pool, date, own?.storeId);
      }
      default:
        throw new Refusal('not_found');
    }
  }

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const send = (status: number, payload: unknown) => {
      const text = JSON.stringify(payload);
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
      res.end(text);
    };
    void (async () => {
      try {
        const body = await readBody(req);
        send(200, await route(method, path, req, body));
      } catch (error) {
        let refusal: Refusal;
        if (error instanceof Refusal) refusal = error;
        else if (isDatabaseDown(error)) refusal = new Refusal('unavailable');
        else {
          log.error(`${method} ${path.split('?')[0]}: ${(error as Error).message}`);
          refusal = new Refusal('internal');
        }
        const info = HUB_ERRORS[refusal.code];
        if (refusal.code !== 'card_busy' && refusal.code !== 'unavailable') {
          const claimed = req.headers[HEADER.terminal];
          await store.audit(typeof claimed === 'string' ? claimed : null, path.split('?')[0] ?? null, refusal.code, refusal.message);
        }
        if (refusal.code === 'too_large') res.setHeader('connection', 'close');
        send(info.status, { error: refusal.code, message: refusal.message, messageZh: info.zh, ...refusal.extra });
      }
    })();
  };

  let server: Server;
  if (options.tls) {
    server = createHttpsServer({ cert: readFileSync(options.tls.certFile), key: readFileSync(options.tls.keyFile) }, handler);
  } else server = createHttpServer(handler);
  server.requestTimeout = 120_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${options.tls ? 'https' : 'http'}://${shownHost}:${address.port}`;
  log.info(`store hub listening on ${url}`);
  return {
    url,
    store,
    tokenSource: tokens,
    async close() {
      closing = true;
      clearInterval(purge);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await listener?.end().catch(() => undefined);
      await pool.end().catch(() => undefined);
      await relaxed.end().catch(() => undefined);
    },
  };
}

const ROUTES = new Set([
  'GET /v1/ping',
  'POST /v1/leases/acquire',
  'POST /v1/leases/renew',
  'POST /v1/leases/observe',
  'POST /v1/leases/release',
  'POST /v1/leases/history',
  'POST /v1/dynamic/claim',
  'POST /v1/dynamic/release',
  'GET /v1/token',
  'POST /v1/token/refused',
  'GET /v1/journal/head',
  'POST /v1/journal',
  'GET /v1/terminals',
  'GET /v1/report',
]);
