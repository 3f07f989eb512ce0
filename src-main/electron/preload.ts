/**
 * The preload (sandboxed, context-isolated): exposes ONE object, `window.gcterm`, that forwards
 * contract calls to the main process over a single IPC channel and relays pushed events. No
 * Electron or Node object ever reaches the page. Bundled to dist-electron/preload.cjs.
 */
import type { ApiName, ApiRequest, ApiResponses, CoreEvent } from '../../shared/contract.ts';
import type { GctermBridge, SavedPdf } from '../../shared/bridge.ts';
import type { ElectronRenderer, IpcRendererEvent } from './electron-types.ts';
import { IPC } from './window-options.ts';

// A sandboxed preload can require only `electron` (and a few Node polyfills); the bundler keeps
// this call as is. See electron-types.ts for why the module is typed locally.
const { contextBridge, ipcRenderer } = require('electron') as ElectronRenderer;

const bridge = {
  transport: 'ipc',
  send<N extends ApiName>(name: N, request: ApiRequest<N>): Promise<ApiResponses[N]> {
    return ipcRenderer.invoke(IPC.call, name, request) as Promise<ApiResponses[N]>;
  },
  onEvent(listener: (event: CoreEvent) => void): () => void {
    const relay = (_event: IpcRendererEvent, payload: unknown): void => listener(payload as CoreEvent);
    ipcRenderer.on(IPC.event, relay);
    return () => ipcRenderer.removeListener(IPC.event, relay);
  },
  saveReportPdf(request: Readonly<{ filename: string }>): Promise<SavedPdf> {
    return ipcRenderer.invoke(IPC.savePdf, { filename: String(request.filename) }) as Promise<SavedPdf>;
  },
} satisfies GctermBridge;

contextBridge.exposeInMainWorld('gcterm', bridge);
