/**
 * Picks the transport at start-up: Electron's preload bridge when present, otherwise browser mode
 * with the secret from the URL fragment (`#k=…`, put there by `gcterm serve`). The fragment is
 * moved to sessionStorage and wiped from the address bar so it is not bookmarked or shown.
 */
import type { CoreClient } from '../../shared/contract.ts';
import type { GctermBridge } from '../../shared/bridge.ts';
import { createHttpClient } from './http.ts';

export type UiClient = CoreClient &
  Readonly<{
    transport: 'ipc' | 'http';
    /** Whether pushed events are flowing; the IPC bridge is always connected. */
    onConnectionChange(listener: (connected: boolean) => void): () => void;
    saveReportPdf?: GctermBridge['saveReportPdf'];
  }>;

const SECRET_KEY = 'gcterm.secret';

export type ClientChoice = Readonly<{ ok: true; client: UiClient }> | Readonly<{ ok: false; problem: 'no_secret' }>;

export function chooseClient(win: Window): ClientChoice {
  const bridge = win.gcterm;
  if (bridge) {
    return {
      ok: true,
      client: {
        transport: 'ipc',
        send: (name, request) => bridge.send(name, request),
        onEvent: (listener) => bridge.onEvent(listener),
        onConnectionChange: () => () => undefined,
        saveReportPdf: (request) => bridge.saveReportPdf(request),
      },
    };
  }
  const fromHash = new URLSearchParams(win.location.hash.replace(/^#/, '')).get('k');
  if (fromHash) {
    win.sessionStorage.setItem(SECRET_KEY, fromHash);
    win.history.replaceState(null, '', win.location.pathname + win.location.search);
  }
  const secret = fromHash ?? win.sessionStorage.getItem(SECRET_KEY);
  if (!secret) return { ok: false, problem: 'no_secret' };
  return { ok: true, client: createHttpClient({ secret, origin: win.location.origin }) };
}
