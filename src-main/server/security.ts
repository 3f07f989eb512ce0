/**
 * Browser mode's guard. The core listens on 127.0.0.1 only, but any web page the cashier's browser
 * opens could still send requests there (CSRF) or reach it through a rebound DNS name. So every
 * API request and the event socket must carry the per-launch secret and come from the server's
 * own Origin and Host; everything else gets 403. The static renderer files are public (they hold
 * no data) and are served to any same-host request, with a strict CSP.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { appCsp } from '../shell/csp.ts';

/** Header the HTTP client sends the secret in. */
export const SECRET_HEADER = 'x-gcterm-secret';
/** The WebSocket client offers `gcterm` plus `gcterm.<secret>` as subprotocols; `gcterm` is echoed. */
export const WS_PROTOCOL = 'gcterm';
export const WS_SECRET_PREFIX = 'gcterm.';

/** 32 random bytes, base64url: fits a URL fragment, a header and a subprotocol token. */
export const newSecret = (): string => randomBytes(32).toString('base64url');

export function secretsEqual(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export const ownOrigin = (port: number): string => `http://127.0.0.1:${port}`;

/** Host must name this server exactly: a DNS-rebinding page arrives with its own host name. */
export function hostAllowed(req: IncomingMessage, port: number): boolean {
  return req.headers.host === `127.0.0.1:${port}`;
}

/** Browsers always send Origin on POST and on WebSocket handshakes; a missing one is refused. */
export function originAllowed(req: IncomingMessage, port: number): boolean {
  return req.headers.origin === ownOrigin(port);
}

export function secretFromProtocols(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(',')) {
    const token = part.trim();
    if (token.startsWith(WS_SECRET_PREFIX)) return token.slice(WS_SECRET_PREFIX.length);
  }
  return undefined;
}

/**
 * The page's CSP: only this origin, no inline script, no eval (but WebAssembly compilation, which
 * the camera decoder needs), no frames, no remote anything. Styles come from the built CSS file;
 * React sets element styles through the CSSOM, which CSP does not restrict.
 */
export function browserCsp(port: number): string {
  return appCsp([`ws://127.0.0.1:${port}`]);
}


export function securityHeaders(port: number): Readonly<Record<string, string>> {
  return {
    'content-security-policy': browserCsp(port),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    // The camera scanner needs getUserMedia; nothing else the browser offers is wanted.
    'permissions-policy': 'camera=(self), microphone=(), geolocation=(), payment=(), usb=(), serial=(), hid=()',
  };
}
