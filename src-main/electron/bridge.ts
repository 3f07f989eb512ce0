/**
 * The one object the preload exposes as `window.gcterm`: the contract's client (typed from the
 * handler map) plus saving the Z-report as PDF. src-renderer/transport/bridge.ts declares the
 * renderer's view of it; test/electron checks the two stay assignable.
 */
import type { CoreClient } from '../../shared/contract.ts';

export type SavedPdf = Readonly<{ ok: true; path: string }> | Readonly<{ ok: false; message: string }>;

export type ElectronBridge = CoreClient &
  Readonly<{
    transport: 'ipc';
    saveReportPdf(request: Readonly<{ filename: string }>): Promise<SavedPdf>;
  }>;
