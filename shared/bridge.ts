/**
 * What the Electron preload exposes as `window.gcterm`: the contract's client (typed from the
 * handler map), plus saving the Z-report as a PDF (Electron's printToPDF; a browser offers the
 * same through its print dialog). Defined once, here, because both sides must agree on it and
 * the renderer may import only shared/: src-main/electron/preload.ts builds an object that
 * `satisfies` this type, and src-renderer/transport/ reads `window.gcterm` as this type.
 */
import type { CoreClient } from './contract.ts';

export type SavedPdf = Readonly<{ ok: true; path: string }> | Readonly<{ ok: false; message: string }>;

export type GctermBridge = CoreClient &
  Readonly<{
    transport: 'ipc';
    /** Prints the current page (print CSS applies) to a PDF in the data directory. */
    saveReportPdf(request: Readonly<{ filename: string }>): Promise<SavedPdf>;
  }>;
