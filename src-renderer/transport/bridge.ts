/**
 * What the Electron preload exposes as `window.gcterm`: the contract's client, plus saving the
 * Z-report as a PDF (Electron's printToPDF; a browser offers the same through its print dialog).
 * src-main/electron/preload.ts builds an object of this shape; the two sides are kept in step by
 * hand because the renderer may not import main-process code.
 */
import type { CoreClient } from '../../shared/contract.ts';

export type SavedPdf = Readonly<{ ok: true; path: string }> | Readonly<{ ok: false; message: string }>;

export type GctermBridge = CoreClient &
  Readonly<{
    transport: 'ipc';
    /** Prints the current page (print CSS applies) to a PDF in the data directory. */
    saveReportPdf(request: Readonly<{ filename: string }>): Promise<SavedPdf>;
  }>;

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
