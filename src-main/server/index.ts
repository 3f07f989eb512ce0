/**
 * Browser mode: the core serves the built renderer on 127.0.0.1 and the UI↔core contract over
 * `POST /api/<name>` (JSON in, JSON Result out) and a WebSocket at `/events` (CoreEvents out).
 * See security.ts for who may call; why a browser mode exists: docs/architecture.md, "What it is".
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { CoreEvent } from '../../shared/contract.ts';
import { createLogger } from '../log.ts';
import { dispatch, type BridgedCore } from '../shell/dispatch.ts';
import {
  SECRET_HEADER,
  WS_PROTOCOL,
  hostAllowed,
  newSecret,
  originAllowed,
  secretFromProtocols,
  secretsEqual,
  securityHeaders,
} from './security.ts';
import { readStatic } from './static.ts';

const log = createLogger('server');

/** Requests are small (a PIN, a code, an amount, a settings patch); anything bigger is refused. */
const MAX_BODY_BYTES = 64 * 1024;

export type BrowserServerOptions = Readonly<{
  port?: number;
  host?: '127.0.0.1';
  staticDir: string;
  /** More events for the page besides the core's (the shell's hardware scanners). */
  events?: (listener: (event: CoreEvent) => void) => () => void;
}>;

export type BrowserServer = Readonly<{
  /** The address to open, with the secret in the fragment (never sent over HTTP, never logged). */
  url: string;
  port: number;
  secret: string;
  close(): Promise<void>;
}>;

export async function startBrowserServer(core: BridgedCore, options: BrowserServerOptions): Promise<BrowserServer> {
  const secret = newSecret();
  const host = options.host ?? '127.0.0.1';
  let port = 0;
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log.error('request failed', { error: error instanceof Error ? error.message : String(error) });
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'Internal error');
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const send = (res: ServerResponse, status: number, contentType: string, body: string | Buffer, extra: Record<string, string> = {}): void => {
    res.writeHead(status, { ...securityHeaders(port), 'content-type': contentType, 'cache-control': 'no-store', ...extra });
    res.end(body);
  };
  const forbid = (res: ServerResponse): void => send(res, 403, 'text/plain; charset=utf-8', 'Forbidden');

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostAllowed(req, port)) return forbid(res);
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    if (url.pathname.startsWith('/api/')) {
      let name: string;
      try {
        name = decodeURIComponent(url.pathname.slice('/api/'.length));
      } catch {
        name = '';
      }
      return handleApi(req, res, name);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return send(res, 405, 'text/plain; charset=utf-8', 'Method not allowed', { allow: 'GET, HEAD' });
    }
    const file = await readStatic(options.staticDir, url.pathname);
    if (!file) return send(res, 404, 'text/plain; charset=utf-8', 'Not found');
    const cache = file.immutable ? 'public, max-age=31536000, immutable' : 'no-store';
    res.writeHead(200, { ...securityHeaders(port), 'content-type': file.contentType, 'cache-control': cache });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
    // Checked before the body is read, so a refused caller learns nothing and costs nothing.
    const headerSecret = req.headers[SECRET_HEADER];
    if (!originAllowed(req, port) || !secretsEqual(secret, typeof headerSecret === 'string' ? headerSecret : undefined)) {
      req.resume();
      return forbid(res);
    }
    if (req.method !== 'POST') return send(res, 405, 'text/plain; charset=utf-8', 'Method not allowed', { allow: 'POST' });
    // A JSON content type cannot be sent cross-site without a CORS preflight, which is never granted.
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
      req.resume();
      return send(res, 415, 'text/plain; charset=utf-8', 'Expected application/json');
    }
    const body = await readBody(req);
    if (body === null) return send(res, 413, 'text/plain; charset=utf-8', 'Request too large');
    let request: unknown;
    try {
      request = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      return sendJson(res, 400, { ok: false, error: { reason: 'invalid_request' } });
    }
    const outcome = await dispatch(core, name, request);
    switch (outcome.kind) {
      case 'unknown_call':
        return send(res, 404, 'text/plain; charset=utf-8', 'Not found');
      case 'invalid':
        return sendJson(res, 400, outcome.result);
      case 'failed':
        return sendJson(res, 500, outcome.result);
      case 'answered':
        return sendJson(res, 200, outcome.result);
    }
  }

  const sendJson = (res: ServerResponse, status: number, value: unknown): void =>
    send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));

  // Events: one WebSocket per open page; the handshake is checked like an API request.
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 1024,
    handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  });
  const clients = new Set<WebSocket>();
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const path = new URL(req.url ?? '/', `http://127.0.0.1:${port}`).pathname;
    const protocols = req.headers['sec-websocket-protocol'];
    const allowed =
      path === '/events' &&
      hostAllowed(req, port) &&
      originAllowed(req, port) &&
      secretsEqual(secret, secretFromProtocols(typeof protocols === 'string' ? protocols : undefined));
    if (!allowed) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      clients.add(ws);
      ws.on('close', () => clients.delete(ws));
      ws.on('error', () => clients.delete(ws));
      // The page only listens; anything it sends is ignored.
    });
  });
  const broadcast = (event: CoreEvent): void => {
    const text = JSON.stringify(event);
    for (const ws of clients) if (ws.readyState === ws.OPEN) ws.send(text);
  };
  const unsubscribeCore = core.onEvent(broadcast);
  const unsubscribeExtra = options.events?.(broadcast) ?? (() => undefined);
  const unsubscribe = (): void => {
    unsubscribeCore();
    unsubscribeExtra();
  };
  // Keeps idle sockets alive through anything that drops quiet connections, and notices dead pages.
  const heartbeat = setInterval(() => {
    for (const ws of clients) ws.ping();
  }, 20_000);
  heartbeat.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/#k=${secret}`;
  log.info('browser mode listening', { port });

  let closed: Promise<void> | null = null;
  return {
    url,
    port,
    secret,
    close() {
      closed ??= (async () => {
        clearInterval(heartbeat);
        unsubscribe();
        for (const ws of clients) ws.terminate();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        const done = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const socket of sockets) socket.destroy();
        await done;
      })();
      return closed;
    },
  };
}

function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
