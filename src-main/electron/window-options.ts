/**
 * The Electron window's security settings as plain data, in a file that does not import electron,
 * so tests can check them without the Electron runtime (test/electron). main.ts uses exactly these.
 */
import { appCsp } from '../shell/csp.ts';

/** The renderer is served from this privileged custom scheme, never from file:// or http. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'gcterm';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** IPC channel names: one call channel carrying the whole contract, one event channel. */
export const IPC = {
  call: 'gcterm:call',
  event: 'gcterm:event',
  savePdf: 'gcterm:save-pdf',
} as const;

/**
 * The renderer runs as a web page with no Node: isolated from the preload, sandboxed, no Node in
 * workers or frames, web security on, no <webview>. The preload path is added by main.ts.
 */
export const WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false,
  navigateOnDragDrop: false,
  safeDialogs: true,
  spellcheck: false,
} as const;

/** One window sized for the smallest counter screen; shown once the page has painted. */
export const WINDOW_OPTIONS = {
  width: 1024,
  height: 768,
  minWidth: 1024,
  minHeight: 700,
  show: false,
  backgroundColor: '#eef0f3',
  autoHideMenuBar: true,
  title: '礼品卡收银 · Gift card terminal',
} as const;

/**
 * The page's Content-Security-Policy: only the app's own origin; no inline script, no eval (but
 * WebAssembly compilation for the camera decoder); no network at all (the core is reached over
 * IPC), no frames, no plugins. Camera frames arrive as a mediastream.
 */
export const ELECTRON_CSP = appCsp();

/** Headers on every response of the app scheme. */
export const RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': ELECTRON_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};

/** Whether a URL is the app's own page (what IPC senders and navigations must be). */
export function isAppUrl(url: string | null | undefined): boolean {
  if (!url) return false;
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && parsed.username === '' && parsed.password === '';
  } catch {
    return false;
  }
}

/** The only permission the page may have: the camera (video, no microphone), for scanning. */
export function permissionAllowed(permission: string, requestingUrl: string | null | undefined, mediaTypes: readonly string[] = []): boolean {
  if (!isAppUrl(requestingUrl)) return false;
  if (permission !== 'media') return false;
  return mediaTypes.every((type) => type === 'video');
}

/**
 * Kiosk / full screen / start at login, from the environment or settings.json
 * (`"shell": { "kiosk": true, "startAtLogin": true }`, written by `gcterm setup --kiosk
 * --start-at-login` at install time). `startAtLogin` is null when nothing says either way, so a
 * choice made in the OS's own startup settings is left alone.
 */
export type ShellMode = Readonly<{ kiosk: boolean; fullscreen: boolean; startAtLogin: boolean | null }>;

export function shellMode(env: Readonly<Record<string, string | undefined>>, settings: Readonly<Record<string, unknown>>): ShellMode {
  const shell = (typeof settings.shell === 'object' && settings.shell !== null ? settings.shell : {}) as Record<string, unknown>;
  const flag = (name: string, key: string): boolean => (env[name] !== undefined ? env[name] === '1' || env[name] === 'true' : shell[key] === true);
  const login = env.GCTERM_START_AT_LOGIN !== undefined ? env.GCTERM_START_AT_LOGIN === '1' || env.GCTERM_START_AT_LOGIN === 'true' : typeof shell.startAtLogin === 'boolean' ? shell.startAtLogin : null;
  return { kiosk: flag('GCTERM_KIOSK', 'kiosk'), fullscreen: flag('GCTERM_FULLSCREEN', 'fullscreen'), startAtLogin: login };
}

/** A PDF file name from the renderer, reduced to something safe to create in the reports folder. */
export function safePdfName(name: unknown): string {
  const base = typeof name === 'string' ? name.replace(/^.*[\\/]/, '') : '';
  const cleaned = base.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '').slice(0, 100);
  const stem = cleaned.replace(/\.pdf$/i, '');
  return `${stem === '' ? 'report' : stem}.pdf`;
}
