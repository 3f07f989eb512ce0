/**
 * Browser mode's guard, as an attacker on the same machine would meet it: a web page on another
 * origin, a DNS-rebinding host name, a request without the per-launch secret. Everything reaches
 * the real server over real sockets; only the core behind it is a fake.
 */
import { request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startBrowserServer, type BrowserServer } from '../../src-main/server/index.ts';
import { configureLogging } from '../../src-main/log.ts';
import { createFakeCore, type FakeCore } from './fake-core.ts';

type Answer = Readonly<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>;

let core: FakeCore;
let server: BrowserServer;
let staticDir: string;
let origin: string;

function request(options: Readonly<{ method?: string; path: string; headers?: Record<string, string>; body?: string }>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: server.port, method: options.method ?? 'GET', path: options.path, headers: options.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const api = (name: string, body: unknown, headers: Record<string, string> = {}) =>
  request({
    method: 'POST',
    path: `/api/${name}`,
    headers: { 'content-type': 'application/json', origin, 'x-gcterm-secret': server.secret, ...headers },
    body: JSON.stringify(body),
  });

beforeAll(async () => {
  configureLogging({ level: 'error' });
  staticDir = mkdtempSync(join(tmpdir(), 'gcterm-static-'));
  mkdirSync(join(staticDir, 'assets'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(staticDir, 'assets', 'app-abc123.js'), 'console.log(1)');
  writeFileSync(join(tmpdir(), 'gcterm-outside.txt'), 'secret file');
  core = createFakeCore();
  server = await startBrowserServer(core, { staticDir });
  origin = `http://127.0.0.1:${server.port}`;
});
afterAll(async () => {
  await server.close();
  rmSync(staticDir, { recursive: true, force: true });
});
beforeEach(() => {
  core.calls.length = 0;
});

describe('the address it prints', () => {
  it('is on 127.0.0.1 and carries the secret only in the #fragment, which browsers never send', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/#k=${server.secret}`);
    expect(server.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('API calls', () => {
  it('answers a call with the secret from its own origin, validated and passed to the core', async () => {
    const answer = await api('card:lookup', { code: '688000000001' });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ ok: true, value: { answered: 'card:lookup' } });
    expect(core.calls).toEqual([['card:lookup', { code: '688000000001' }]]);
  });

  it.each([
    ['no secret', { 'x-gcterm-secret': '' }],
    ['a wrong secret', { 'x-gcterm-secret': 'x'.repeat(43) }],
    ['another origin (a web page elsewhere)', { origin: 'http://evil.example' }],
    ['a localhost origin on another port', { origin: 'http://127.0.0.1:1' }],
    ['the null origin (a sandboxed frame or file: page)', { origin: 'null' }],
    ['a rebound host name', { host: 'REBOUND' }],
  ])('refuses %s with 403 and never reaches the core', async (_what, headers) => {
    const fixed: Record<string, string> = { ...headers };
    if (fixed.host === 'REBOUND') fixed.host = `evil.example:${server.port}`;
    const answer = await api('session:signIn', { pin: '1234' }, fixed);
    expect(answer.status).toBe(403);
    expect(core.calls).toEqual([]);
  });

  it('refuses a call with no Origin header at all', async () => {
    const answer = await request({
      method: 'POST',
      path: '/api/session:signIn',
      headers: { 'content-type': 'application/json', 'x-gcterm-secret': server.secret },
      body: '{"pin":"1234"}',
    });
    expect(answer.status).toBe(403);
    expect(core.calls).toEqual([]);
  });

  it('refuses a form post (no JSON content type), which a page could send cross-site without a preflight', async () => {
    const answer = await api('session:signIn', { pin: '1234' }, { 'content-type': 'text/plain' });
    expect(answer.status).toBe(415);
    expect(core.calls).toEqual([]);
  });

  it('answers invalid_request for a request its schema refuses, without calling the core', async () => {
    const answer = await api('redemption:submit', { code: 42, amount: '1' });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toEqual({ ok: false, error: { reason: 'invalid_request' } });
    const garbage = await request({
      method: 'POST',
      path: '/api/status:get',
      headers: { 'content-type': 'application/json', origin, 'x-gcterm-secret': server.secret },
      body: '{not json',
    });
    expect(garbage.status).toBe(400);
    expect(core.calls).toEqual([]);
  });

  it('knows only the contract: other names are 404, GET is not a call, oversized bodies are refused', async () => {
    expect((await api('constructor', {})).status).toBe(404);
    expect((await api('__proto__', {})).status).toBe(404);
    expect((await request({ path: '/api/status:get', headers: { origin, 'x-gcterm-secret': server.secret } })).status).toBe(405);
    expect((await api('card:lookup', { code: 'x'.repeat(100_000) })).status).toBe(413);
    expect(core.calls).toEqual([]);
  });
});

describe('the page', () => {
  it('is served with a strict CSP and the other security headers', async () => {
    const answer = await request({ path: '/' });
    expect(answer.status).toBe(200);
    const csp = String(answer.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toMatch(/'unsafe-eval'/);
    expect(csp).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/);
    expect(csp).not.toMatch(/(^|\s)\*(\s|;|$)/);
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.headers['x-frame-options']).toBe('DENY');
    expect(answer.headers['referrer-policy']).toBe('no-referrer');
    expect(answer.headers['permissions-policy']).toContain('camera=(self)');
    expect(answer.headers['cache-control']).toBe('no-store');
  });

  it('serves hashed assets as immutable and nothing outside its folder', async () => {
    const asset = await request({ path: '/assets/app-abc123.js' });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toContain('text/javascript');
    expect(asset.headers['cache-control']).toContain('immutable');
    for (const path of ['/../gcterm-outside.txt', '/%2e%2e/gcterm-outside.txt', '/..%2fgcterm-outside.txt', '/assets/%2e%2e%2f%2e%2e%2fgcterm-outside.txt']) {
      const answer = await request({ path });
      expect(answer.body).not.toContain('secret file');
    }
  });

  it('refuses a page request through a rebound host name', async () => {
    expect((await request({ path: '/', headers: { host: `evil.example:${server.port}` } })).status).toBe(403);
  });
});

describe('the event socket', () => {
  const connect = (protocols: string[], wsOrigin: string): Promise<{ ws: WebSocket; opened: boolean; status?: number }> =>
    new Promise((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/events`, protocols, { origin: wsOrigin });
      ws.on('open', () => resolve({ ws, opened: true }));
      ws.on('unexpected-response', (_req, res) => resolve({ ws, opened: false, status: res.statusCode }));
      ws.on('error', () => resolve({ ws, opened: false }));
    });

  it('pushes core events to a page holding the secret', async () => {
    const { ws, opened } = await connect(['gcterm', `gcterm.${server.secret}`], origin);
    expect(opened).toBe(true);
    const message = new Promise<string>((resolve) => ws.once('message', (data: Buffer) => resolve(data.toString('utf8'))));
    core.emit({ type: 'scan', source: 'serial', device: '/dev/ttyUSB0', text: '688000000001', at: 1 });
    expect(JSON.parse(await message)).toEqual({ type: 'scan', source: 'serial', device: '/dev/ttyUSB0', text: '688000000001', at: 1 });
    ws.close();
  });

  it.each([
    ['without the secret', ['gcterm'], 'own'],
    ['with a wrong secret', ['gcterm', 'gcterm.wrong'], 'own'],
    ['from another origin', ['gcterm', 'SECRET'], 'http://evil.example'],
  ])('refuses a socket %s', async (_what, protocols, wsOrigin) => {
    const withSecret = protocols.map((p) => (p === 'SECRET' ? `gcterm.${server.secret}` : p));
    const { opened, status } = await connect(withSecret, wsOrigin === 'own' ? origin : wsOrigin);
    expect(opened).toBe(false);
    expect(status).toBe(403);
  });
});
