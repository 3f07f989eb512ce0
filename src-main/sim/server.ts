/**
 * The HTTP face of the simulator (plain node:http): WeChat paths answered the WeChat way
 * (HTTP 200, errcode/errmsg), injected faults applied around them, /sim/ routed to the admin API.
 * No request, however malformed, may take the server down: every failure becomes an answer.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { handleAdmin } from './admin.ts';
import { ERR } from './constants.ts';
import type { FaultPlan, FaultRegistry } from './faults.ts';
import { maskBody, maskQuery, type RequestLog } from './request-log.ts';
import { wechatHandler } from './routes.ts';
import { wxErrcode, wxError, type SimContext, type WeChatAnswer, type WeChatRequest } from './wire.ts';

/** WeChat bodies are a few hundred bytes; anything past this is refused, not buffered. */
const MAX_BODY_BYTES = 1024 * 1024;

export type SimServerDeps = Readonly<{
  ctx: SimContext;
  faults: FaultRegistry;
  requests: RequestLog;
  /** Unexpected failures (bugs), reported without request data. */
  onError(error: unknown): void;
}>;

export type SimServer = Readonly<{ server: Server; close(): Promise<void> }>;

type Body = Readonly<{ text: string; tooLarge: boolean }>;

function readBody(req: IncomingMessage): Promise<Body> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Keep draining past the limit so the client gets its answer rather than a reset.
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      const tooLarge = size > MAX_BODY_BYTES;
      resolve({ text: tooLarge ? '' : Buffer.concat(chunks).toString('utf8'), tooLarge });
    });
    req.on('error', reject);
    req.on('close', () => reject(new ClientGoneError()));
  });
}

class ClientGoneError extends Error {
  constructor() {
    super('client closed the connection');
    this.name = 'ClientGoneError';
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** A gateway failure looks like this in production: HTML, not JSON. */
function sendHttp500(res: ServerResponse): void {
  if (res.headersSent || res.destroyed) return;
  const text = '<html><head><title>500 Internal Server Error</title></head><body>500 Internal Server Error</body></html>';
  res.writeHead(500, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function createSimServer(deps: SimServerDeps): SimServer {
  const { ctx, faults, requests } = deps;
  // Aborts fault delays on close, so a pending latency fault cannot hold the server open.
  const closing = new AbortController();
  // Every delayed request listens for close: with latency faults, hundreds at once are normal.
  setMaxListeners(0, closing.signal);

  async function answerWeChat(res: ServerResponse, path: string, request: WeChatRequest): Promise<void> {
    const handler = wechatHandler(path);
    if (!handler) {
      sendJson(res, 404, { errcode: 404, errmsg: `no such API in the simulator: ${path}` });
      return;
    }
    const plan: FaultPlan = faults.plan(path);
    if (plan.delayMs > 0) await sleep(plan.delayMs, undefined, { signal: closing.signal });
    // The simulator may have closed (and its database with it) while this request waited.
    if (closing.signal.aborted) return;
    const fault = plan.fault;
    let preApplied: WeChatAnswer | null = null;
    switch (fault?.kind) {
      case 'http500':
        sendHttp500(res);
        return;
      case 'busy-before-apply':
        preApplied = wxError(ERR.systemBusy);
        break;
      case 'quota':
        preApplied = wxError(ERR.dailyQuota);
        break;
      case 'rate-limit':
        preApplied = wxError(ERR.minuteQuota);
        break;
      case 'errcode':
        preApplied = wxErrcode(fault.errcode ?? ERR.systemBusy[0]);
        break;
      default:
        break;
    }
    if (preApplied) {
      sendJson(res, 200, preApplied);
      return;
    }
    const result = handler(ctx, request);
    if (fault?.kind === 'drop-after-apply') {
      // The write is committed; the client never learns it (an unknown outcome).
      res.socket?.destroy();
      return;
    }
    sendJson(res, 200, fault?.kind === 'busy-after-apply' ? wxError(ERR.systemBusy) : result);
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://simulator.invalid');
    } catch {
      req.resume();
      sendJson(res, 400, { error: 'malformed request target' });
      return;
    }
    const body = await readBody(req);
    const method = req.method ?? 'GET';
    const path = url.pathname;
    if (path === '/sim' || path.startsWith('/sim/')) {
      const result = handleAdmin(deps, { method, path, query: url.searchParams, rawBody: body.text, bodyTooLarge: body.tooLarge });
      sendJson(res, result.status, result.body);
      return;
    }
    requests.record({
      at: ctx.clock.nowSeconds(),
      method,
      path,
      query: maskQuery(url.searchParams),
      body: body.tooLarge ? '(body too large)' : maskBody(body.text),
    });
    await answerWeChat(res, path, { method, query: url.searchParams, rawBody: body.text, bodyTooLarge: body.tooLarge });
  }

  const server = createServer((req, res) => {
    onRequest(req, res).catch((error: unknown) => {
      if (error instanceof ClientGoneError || closing.signal.aborted) return;
      deps.onError(error);
      sendJson(res, 200, wxError(ERR.systemBusy));
    });
  });

  let closed: Promise<void> | null = null;
  return {
    server,
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
