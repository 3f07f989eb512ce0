/**
 * The small part of Electron's API the shell uses, typed here because the `electron` package (an
 * optional dependency whose runtime cannot be downloaded in every build environment) may be
 * absent: `tsc -p tsconfig.json` must pass without it. main.ts and preload.ts obtain the module
 * with a CommonJS require of the package (they are bundled to CommonJS) and view it through these
 * types.
 * Signatures follow Electron 38's documentation.
 */
export type PreventableEvent = { preventDefault(): void };

export type WebFrameMain = { readonly url: string; readonly parent: WebFrameMain | null };

export type WebContents = {
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
  readonly mainFrame: WebFrameMain;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
  on(event: 'will-navigate' | 'will-redirect' | 'will-frame-navigate', listener: (event: PreventableEvent & { url: string }, url: string) => void): void;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): void;
  on(event: 'render-process-gone', listener: (event: unknown, details: { reason: string }) => void): void;
  printToPDF(options: { pageSize?: string; printBackground?: boolean; landscape?: boolean }): Promise<Uint8Array>;
};

export type IpcMainInvokeEvent = { readonly sender: WebContents; readonly senderFrame: WebFrameMain | null };

export type BrowserWindowInstance = {
  readonly webContents: WebContents;
  loadURL(url: string): Promise<void>;
  once(event: 'ready-to-show', listener: () => void): void;
  on(event: 'closed', listener: () => void): void;
  on(event: 'close', listener: (event: PreventableEvent) => void): void;
  show(): void;
  focus(): void;
  restore(): void;
  isMinimized(): boolean;
};

export type BrowserWindowConstructor = new (options: Readonly<Record<string, unknown>>) => BrowserWindowInstance;

export type PermissionRequestDetails = { requestingUrl?: string; mediaTypes?: string[] };

export type Session = {
  setPermissionRequestHandler(
    handler: (webContents: WebContents, permission: string, callback: (granted: boolean) => void, details: PermissionRequestDetails) => void,
  ): void;
  setPermissionCheckHandler(handler: (webContents: WebContents | null, permission: string, requestingOrigin: string) => boolean): void;
};

export type ElectronMain = {
  app: {
    requestSingleInstanceLock(): boolean;
    whenReady(): Promise<void>;
    quit(): void;
    exit(code?: number): void;
    on(event: 'second-instance' | 'window-all-closed', listener: () => void): void;
    on(event: 'before-quit', listener: (event: PreventableEvent) => void): void;
    on(event: 'web-contents-created', listener: (event: unknown, contents: WebContents) => void): void;
    readonly isPackaged: boolean;
    /** Windows and macOS: start with the user's session. */
    setLoginItemSettings(settings: Readonly<{ openAtLogin: boolean; args?: readonly string[] }>): void;
  };
  BrowserWindow: BrowserWindowConstructor;
  ipcMain: {
    handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>): void;
  };
  protocol: {
    registerSchemesAsPrivileged(schemes: ReadonlyArray<{ scheme: string; privileges: Readonly<Record<string, boolean>> }>): void;
    handle(scheme: string, handler: (request: Request) => Promise<Response>): void;
  };
  session: { readonly defaultSession: Session };
  Menu: { setApplicationMenu(menu: null): void };
  safeStorage: {
    isEncryptionAvailable(): boolean;
    encryptString(plainText: string): Buffer;
    decryptString(encrypted: Buffer): string;
  };
  dialog: {
    showMessageBoxSync(window: BrowserWindowInstance | null, options: Readonly<Record<string, unknown>>): number;
  };
};

export type IpcRendererEvent = { readonly senderId?: number };

export type ElectronRenderer = {
  contextBridge: { exposeInMainWorld(key: string, api: unknown): void };
  ipcRenderer: {
    invoke(channel: string, ...args: unknown[]): Promise<unknown>;
    on(channel: string, listener: (event: IpcRendererEvent, ...args: unknown[]) => void): void;
    removeListener(channel: string, listener: (event: IpcRendererEvent, ...args: unknown[]) => void): void;
  };
};
