/**
 * A tiny real HTTP proxy in front of the simulator that forwards every request unchanged and
 * mangles the answer of one chosen WeChat path: what a broken gateway, a captive portal or a
 * half-delivered response looks like to the terminal. The simulator still applies the request,
 * so a mangled `updateuser` answer is an unknown outcome of a write that did happen.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Turns the simulator's answer text into what the terminal receives. */
export type Mangle = Readonly<{ status?: number; contentType?: string; body: (original: string) => string }>;

export type ManglingProxy = Readonly<{
  url: string;
  /** Mangles the next `times` answers of `path` (every one when `times` is absent). */
  mangle(path: string, mangle: Mangle, times?: number): void;
  /** How many answers were mangled so far. */
  mangled(): number;
  close(): Promise<void>;
}>;

/** Ready-made mangles. */
export const MANGLES = {
  /** A gateway's HTML error page with HTTP 200. */
  html: { contentType: 'text/html', body: () => '<html><body>502 Bad Gateway</body></html>' },
  /** The first half of the real answer: the connection was cut mid-body. */
  truncated: { body: (text: string) => text.slice(0, Math.floor(text.length / 2)) },
  /** Valid JSON with errcode 0, but money as a string. */
  balanceAsString: {
    body: (text: string) => {
      const answer = JSON.parse(text) as { card?: { balance?: unknown }; result_balance?: unknown };
      if (answer.card && typeof answer.card.balance === 'number') answer.card.balance = (answer.card.balance / 100).toFixed(2);
      if (typeof answer.result_balance === 'number') answer.result_balance = (answer.result_balance / 100).toFixed(2);
      return JSON.stringify(answer);
    },
  },
  /** Valid JSON, errcode 0, a fractional balance (yuan where fen were due). */
  fractionalBalance: {
    body: (text: string) => {
      const answer = JSON.parse(text) as { card?: { balance?: unknown }; result_balance?: unknown };
      if (answer.card && typeof answer.card.balance === 'number') answer.card.balance = Math.floor(answer.card.balance / 100) + 0.5;
      if (typeof answer.result_balance === 'number') answer.result_balance = Math.floor(answer.result_balance / 100) + 0.5;
      return JSON.stringify(answer);
    },
  },
  /** JSON, but not an object at all. */
  nullBody: { body: () => 'null' },
} as const satisfies Record<string, Mangle>;

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

export async function startManglingProxy(target: string): Promise<ManglingProxy> {
  const upstream = new URL(target);
  const rules = new Map<string, { mangle: Mangle; remaining: number }>();
  let mangledCount = 0;

  async function forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readAll(req);
    const answer = await new Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }>((resolve, reject) => {
      const out = httpRequest(
        {
          hostname: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host, connection: 'close' },
        },
        (response) => {
          readAll(response).then((data) => resolve({ status: response.statusCode ?? 502, headers: response.headers, body: data }), reject);
        },
      );
      out.on('error', reject);
      out.end(body);
    });
    const path = new URL(req.url ?? '/', 'http://proxy.invalid').pathname;
    const rule = rules.get(path);
    if (rule && rule.remaining > 0) {
      rule.remaining--;
      mangledCount++;
      const text = rule.mangle.body(answer.body.toString('utf8'));
      res.writeHead(rule.mangle.status ?? answer.status, {
        'content-type': rule.mangle.contentType ?? 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
      return;
    }
    res.writeHead(answer.status, {
      'content-type': answer.headers['content-type'] ?? 'application/json',
      'content-length': answer.body.length,
    });
    res.end(answer.body);
  }

  const server = createServer((req, res) => {
    forward(req, res).catch(() => {
      // The simulator went away: answer like an unreachable upstream.
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    mangle(path, mangle, times) {
      rules.set(path, { mangle, remaining: times ?? Number.POSITIVE_INFINITY });
    },
    mangled: () => mangledCount,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
