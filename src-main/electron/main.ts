/**
 * The Electron shell (main process): one window showing the renderer from the app:// scheme, the
 * core in this process, the contract over one validated IPC channel. Security posture (see
 * window-options.ts, tested in test/electron): sandboxed, context-isolated renderer without Node;
 * strict CSP on every response; navigation, new windows and <webview> denied; IPC accepted only
 * from the app's own main frame; only the camera permission, only for the app. Single instance;
 * optional kiosk/full screen; logs to <dataDir>/logs/gcterm.log.
 *
 * Bundled to dist-electron/main.cjs by src-main/electron/bundle.ts (bin/start.js, bin/dist.js).
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import type { CoreEvent } from '../../shared/contract.ts';
import { err } from '../../shared/result.ts';
import { defaultDataDir, readSettingsFile } from '../config.ts';
import { openCore, type Core } from '../core.ts';
import { createDialogPrinter } from './print-dialog.ts';
import { configureLogging, createLogger } from '../log.ts';
import { dispatch } from '../shell/dispatch.ts';
import { startHardwareScanners, type HardwareScanners } from '../shell/hardware-scanners.ts';
import { queueStatus } from '../journal/queue.ts';
import type { BrowserWindowInstance, ElectronMain, IpcMainInvokeEvent } from './electron-types.ts';
import { QUIT_ANYWAY, quitWarning } from './quit-warning.ts';
import { startFailureBox, startLanguage } from './start-failure.ts';
import {
  APP_ENTRY_URL,
  APP_HOST,
  APP_SCHEME,
  IPC,
  RESPONSE_HEADERS,
  WEB_PREFERENCES,
  WINDOW_OPTIONS,
  isAppUrl,
  permissionAllowed,
  safePdfName,
  shellMode,
} from './window-options.ts';

// Bundled as CommonJS, so `require` and `__dirname` are the bundle's own. See electron-types.ts.
const { app, BrowserWindow, ipcMain, protocol, session, Menu, dialog, safeStorage } = require('electron') as ElectronMain;

const dataDir = defaultDataDir(process.env);
const rendererDir = resolve(__dirname, '..', 'dist', 'renderer');

try {
  mkdirSync(join(dataDir, 'logs'), { recursive: true });
} catch {
  // An unusable data directory: start() refuses with a message box naming why.
}
const logFile = createWriteStream(join(dataDir, 'logs', 'gcterm.log'), { flags: 'a', mode: 0o600 }).on('error', () => undefined);
configureLogging({ sink: (line) => logFile.write(`${line}\n`), level: 'info' });
const log = createLogger('electron');

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.map': 'application/json',
};

/** app://gcterm/<path> → a file under dist/renderer, never outside it. */
async function serveRenderer(request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (url.host !== APP_HOST) return new Response('Not found', { status: 404, headers: RESPONSE_HEADERS });
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return new Response('Bad request', { status: 400, headers: RESPONSE_HEADERS });
  }
  const file = resolve(rendererDir, `.${path === '/' ? '/index.html' : path}`);
  if (!file.startsWith(rendererDir + sep)) return new Response('Not found', { status: 404, headers: RESPONSE_HEADERS });
  try {
    const body = await readFile(file);
    return new Response(body, { headers: { ...RESPONSE_HEADERS, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' } });
  } catch {
    return new Response('Not found', { status: 404, headers: RESPONSE_HEADERS });
  }
}

/** IPC is answered only for the app's own top-level page, never a frame or another origin. */
function trustedSender(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  return frame !== null && frame.parent === null && isAppUrl(frame.url);
}

let mainWindow: BrowserWindowInstance | null = null;
let core: Core | null = null;
/** The manager answered the queued-redemptions question (or nothing was queued). */
let quitConfirmed = false;
let scanners: HardwareScanners | null = null;

async function start(): Promise<void> {
  await app.whenReady();
  Menu.setApplicationMenu(null);
  protocol.handle(APP_SCHEME, serveRenderer);
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, permission, callback, details) =>
    callback(permissionAllowed(permission, details.requestingUrl, details.mediaTypes ?? [])),
  );
  ses.setPermissionCheckHandler((_contents, permission, origin) => permissionAllowed(permission, origin, ['video']));

  // Credentials at rest are sealed with the OS's own protection where it offers one (docs/architecture.md, invariant 7).
  const secretBox = safeStorage.isEncryptionAvailable()
    ? {
        encrypt: (plain: string) => safeStorage.encryptString(plain).toString('base64'),
        decrypt: (sealed: string) => safeStorage.decryptString(Buffer.from(sealed, 'base64')),
      }
    : undefined;
  if (!secretBox) log.warn('the OS offers no secret storage: credentials stay in the owner-only settings file');
  const opened = await openCore({ dataDir, env: process.env, secretBox, printDialog: createDialogPrinter(BrowserWindow as unknown as Parameters<typeof createDialogPrinter>[0]) });
  core = opened;
  const hardware = startHardwareScanners(opened);
  scanners = hardware;

  ipcMain.handle(IPC.call, async (event, name, request) => {
    if (!trustedSender(event)) {
      log.warn('IPC call refused: untrusted sender', { url: event.senderFrame?.url ?? null });
      throw new Error('refused');
    }
    const outcome = await dispatch(opened, name, request);
    return outcome.kind === 'unknown_call' ? err({ reason: 'invalid_request' }) : outcome.result;
  });
  ipcMain.handle(IPC.savePdf, async (event, request) => {
    if (!trustedSender(event)) throw new Error('refused');
    const filename = safePdfName((request as { filename?: unknown } | null)?.filename);
    try {
      const pdf = await event.sender.printToPDF({ pageSize: 'A4', printBackground: false });
      const dir = join(dataDir, 'reports');
      mkdirSync(dir, { recursive: true });
      const path = join(dir, filename);
      await writeFile(path, pdf);
      log.info('Z-report saved', { path });
      return { ok: true, path };
    } catch (error) {
      return { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
  });

  const mode = shellMode(process.env, safeSettings());
  // Start at login, when the installer (gcterm setup --start-at-login) or the environment says so.
  if (mode.startAtLogin !== null && process.platform !== 'linux') app.setLoginItemSettings({ openAtLogin: mode.startAtLogin });
  const win = new BrowserWindow({
    ...WINDOW_OPTIONS,
    kiosk: mode.kiosk,
    fullscreen: mode.fullscreen || mode.kiosk,
    webPreferences: { ...WEB_PREFERENCES, preload: join(__dirname, 'preload.cjs') },
  });
  mainWindow = win;
  const toPage = (event: CoreEvent): void => {
    if (!win.webContents.isDestroyed()) win.webContents.send(IPC.event, event);
  };
  const unsubscribe = opened.onEvent(toPage);
  const unsubscribeScans = hardware.onEvent(toPage);
  // Closing the window quits the app: ask first while redemptions are still queued.
  win.on('close', (event) => {
    if (quitConfirmed) return;
    const warning = quitWarning(queueStatus(opened.terminal.db));
    if (warning && dialog.showMessageBoxSync(win, warning) !== QUIT_ANYWAY) event.preventDefault();
    else quitConfirmed = true;
  });
  win.on('closed', () => {
    unsubscribe();
    unsubscribeScans();
    mainWindow = null;
  });
  win.once('ready-to-show', () => win.show());
  await win.loadURL(APP_ENTRY_URL);
}

function safeSettings(): Record<string, unknown> {
  try {
    return readSettingsFile(dataDir);
  } catch {
    return {};
  }
}

if (!app.requestSingleInstanceLock()) {
  // Another window on the same journal would be a second writer: hand over to the first one.
  app.quit();
} else {
  // Must run before the app is ready: app:// behaves like https (secure, standard, fetch-able).
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } }]);

  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  // Every web contents, including any created later: no navigation away, no new windows, no webviews.
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    const stayHome = (event: { preventDefault(): void }, url: string): void => {
      if (!isAppUrl(url)) {
        event.preventDefault();
        log.warn('navigation denied', { url: url.slice(0, 200) });
      }
    };
    contents.on('will-navigate', stayHome);
    contents.on('will-redirect', stayHome);
    contents.on('will-frame-navigate', (event) => stayHome(event, event.url));
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.on('render-process-gone', (_event, details) => log.error('renderer gone', { reason: details.reason }));
  });

  let closing = false;
  app.on('before-quit', (event) => {
    if (closing || !core) return;
    const warning = quitConfirmed ? null : quitWarning(queueStatus(core.terminal.db));
    if (warning && dialog.showMessageBoxSync(mainWindow, warning) !== QUIT_ANYWAY) {
      event.preventDefault();
      return;
    }
    quitConfirmed = true;
    // Closing the core drains what is in flight so no redemption is cut between two steps.
    event.preventDefault();
    closing = true;
    const running = core;
    core = null;
    const hardware = scanners;
    scanners = null;
    (hardware?.stop() ?? Promise.resolve())
      .then(() => running.close())
      .catch((error: unknown) => log.error('core close failed', { message: (error as Error).message }))
      .finally(() => app.quit());
  });
  app.on('window-all-closed', () => app.quit());

  start().catch((error: unknown) => {
    log.error('start failed', { message: error instanceof Error ? error.message : String(error) });
    const box = startFailureBox(error, startLanguage(process.env, safeSettings().language));
    if (box) dialog.showMessageBoxSync(null, box);
    logFile.end(() => app.exit(1));
  });
}
