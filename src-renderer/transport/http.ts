/**
 * Browser mode's client: `POST /api/<name>` with the per-launch secret in a header, and one
 * WebSocket at `/events` that reconnects by itself. Domain errors come back as Results; only a
 * core that cannot be reached rejects (TransportError), so the UI can say so plainly.
 */
import type { ApiName, ApiRequest, ApiResponses, CoreEvent } from '../../shared/contract.ts';
import { TransportError } from './bridge.ts';
import type { UiClient } from './client.ts';

export const SECRET_HEADER = 'x-gcterm-secret';
const WS_PROTOCOL = 'gcterm';
const WS_SECRET_PREFIX = 'gcterm.';

export function createHttpClient(options: Readonly<{ secret: string; origin: string }>): UiClient {
  const listeners = new Set<(event: CoreEvent) => void>();
  const connectionListeners = new Set<(connected: boolean) => void>();
  let socket: WebSocket | null = null;
  let connected = false;
  let retryMs = 250;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;

  const setConnected = (next: boolean): void => {
    if (next === connected) return;
    connected = next;
    for (const listener of connectionListeners) listener(next);
  };

  const connect = (): void => {
    if (socket || listeners.size === 0) return;
    const wsUrl = `${options.origin.replace(/^http/, 'ws')}/events`;
    const ws = new WebSocket(wsUrl, [WS_PROTOCOL, `${WS_SECRET_PREFIX}${options.secret}`]);
    socket = ws;
    ws.addEventListener('open', () => {
      retryMs = 250;
      setConnected(true);
    });
    ws.addEventListener('message', (message: MessageEvent) => {
      if (typeof message.data !== 'string') return;
      let event: CoreEvent;
      try {
        event = JSON.parse(message.data) as CoreEvent;
      } catch {
        return;
      }
      for (const listener of listeners) listener(event);
    });
    ws.addEventListener('close', () => {
      socket = null;
      setConnected(false);
      if (listeners.size === 0) return;
      // Backs off to a few seconds: the core restarting is normal, hammering it is not.
      retryTimer = setTimeout(() => {
        retryTimer = null;
        connect();
      }, retryMs);
      retryMs = Math.min(retryMs * 2, 4000);
    });
  };

  return {
    transport: 'http',
    async send<N extends ApiName>(name: N, request: ApiRequest<N>): Promise<ApiResponses[N]> {
      let response: Response;
      try {
        response = await fetch(`${options.origin}/api/${encodeURIComponent(name)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [SECRET_HEADER]: options.secret },
          body: JSON.stringify(request),
          credentials: 'omit',
          cache: 'no-store',
        });
      } catch (error) {
        throw new TransportError(error instanceof Error ? error.message : 'fetch failed');
      }
      // 400 and 500 carry a Result too (invalid request, core fault); 403/404 do not.
      if (response.status === 403) throw new TransportError('HTTP 403', 'forbidden');
      if (![200, 400, 500].includes(response.status)) throw new TransportError(`HTTP ${response.status}`);
      const body: unknown = await response.json().catch(() => null);
      if (body === null || typeof body !== 'object' || typeof (body as { ok?: unknown }).ok !== 'boolean') {
        throw new TransportError('unreadable answer');
      }
      return body as ApiResponses[N];
    },
    onEvent(listener) {
      listeners.add(listener);
      connect();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) {
          if (retryTimer) clearTimeout(retryTimer);
          retryTimer = null;
          socket?.close();
          socket = null;
        }
      };
    },
    onConnectionChange(listener) {
      connectionListeners.add(listener);
      return () => connectionListeners.delete(listener);
    },
  };
}
