/**
 * The renderer's view of the shell: `window.gcterm` (present in Electron, absent in a browser),
 * typed by shared/bridge.ts, the one definition the preload also satisfies, and the error a
 * transport raises when the core cannot be reached at all.
 */
import type { GctermBridge } from '../../shared/bridge.ts';

declare global {
  interface Window {
    gcterm?: GctermBridge;
  }
}

/** A renderer-side failure to reach the core at all (not a domain error: those are Results). */
export class TransportError extends Error {
  override readonly name = 'TransportError';
  /** 'forbidden': the core answered but refused the key (it was restarted with a new one). */
  constructor(
    message: string,
    readonly kind: 'unreachable' | 'forbidden' = 'unreachable',
  ) {
    super(message);
  }
}
