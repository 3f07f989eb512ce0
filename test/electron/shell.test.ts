/**
 * The Electron shell without the Electron runtime (which cannot be downloaded here): its window
 * options and CSP are the secure ones, only its two files touch `electron`, the preload exposes
 * one object and requires nothing but `electron`, and the packaging config is complete.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleElectron } from '../../src-main/electron/bundle.ts';
import {
  APP_ENTRY_URL,
  ELECTRON_CSP,
  RESPONSE_HEADERS,
  WEB_PREFERENCES,
  WINDOW_OPTIONS,
  isAppUrl,
  permissionAllowed,
  safePdfName,
  shellMode,
} from '../../src-main/electron/window-options.ts';

const ROOT = join(import.meta.dirname, '..', '..');

const directives = (csp: string): Map<string, string[]> =>
  new Map(csp.split(';').map((part) => {
    const [name = '', ...values] = part.trim().split(/\s+/);
    return [name, values] as const;
  }));

describe('the window', () => {
  it('runs the page sandboxed and context-isolated, without Node, with web security on', () => {
    expect(WEB_PREFERENCES).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
    });
    expect(WINDOW_OPTIONS).toMatchObject({ width: 1024, height: 768 });
    expect('webPreferences' in WINDOW_OPTIONS).toBe(false);
  });

  it('has a strict CSP: own origin only, no inline or eval script, no network, no frames or plugins', () => {
    const csp = directives(ELECTRON_CSP);
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(csp.get('style-src')).toEqual(["'self'"]);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    expect(csp.get('form-action')).toEqual(["'none'"]);
    for (const values of csp.values()) {
      for (const value of values) {
        expect(value).not.toMatch(/^'unsafe-(inline|eval|hashes)'$/);
        expect(value).not.toMatch(/^(https?:|ws:|wss:|\*)/);
      }
    }
    expect(RESPONSE_HEADERS['content-security-policy']).toBe(ELECTRON_CSP);
  });

  it("accepts IPC and navigation only from the app's own origin", () => {
    expect(isAppUrl(APP_ENTRY_URL)).toBe(true);
    expect(isAppUrl('app://gcterm/assets/index.js')).toBe(true);
    for (const url of ['app://evil/index.html', 'https://gcterm/index.html', 'file:///C:/gcterm/index.html', 'http://127.0.0.1/', 'app://user:pw@gcterm/', 'javascript:alert(1)', '', null, undefined]) {
      expect(isAppUrl(url)).toBe(false);
    }
  });

  it('grants the camera (video only) to the app and nothing else to anyone', () => {
    expect(permissionAllowed('media', APP_ENTRY_URL, ['video'])).toBe(true);
    expect(permissionAllowed('media', APP_ENTRY_URL, ['video', 'audio'])).toBe(false);
    expect(permissionAllowed('media', 'https://evil.example/', ['video'])).toBe(false);
    for (const permission of ['geolocation', 'notifications', 'clipboard-read', 'openExternal', 'hid', 'serial', 'usb']) {
      expect(permissionAllowed(permission, APP_ENTRY_URL)).toBe(false);
    }
  });

  it('turns on kiosk or full screen from the environment or settings.json', () => {
    expect(shellMode({}, {})).toEqual({ kiosk: false, fullscreen: false, startAtLogin: null });
    expect(shellMode({ GCTERM_KIOSK: '1' }, {})).toEqual({ kiosk: true, fullscreen: false, startAtLogin: null });
    expect(shellMode({}, { shell: { fullscreen: true } })).toEqual({ kiosk: false, fullscreen: true, startAtLogin: null });
    // Start at login, as `gcterm setup --start-at-login` writes it; the environment wins.
    expect(shellMode({}, { shell: { startAtLogin: true } }).startAtLogin).toBe(true);
    expect(shellMode({ GCTERM_START_AT_LOGIN: '0' }, { shell: { startAtLogin: true } }).startAtLogin).toBe(false);
    expect(shellMode({ GCTERM_KIOSK: '0' }, { shell: { kiosk: true } })).toEqual({ kiosk: false, fullscreen: false, startAtLogin: null });
  });

  it('saves a Z-report PDF only under a plain file name in the reports folder', () => {
    expect(safePdfName('z-report-T01-2025-03-07.pdf')).toBe('z-report-T01-2025-03-07.pdf');
    expect(safePdfName('../../etc/passwd')).toBe('passwd.pdf');
    expect(safePdfName('C:\\Windows\\x.pdf')).toBe('x.pdf');
    expect(safePdfName('..')).toBe('report.pdf');
    expect(safePdfName(42)).toBe('report.pdf');
  });
});

describe('the electron boundary', () => {
  const sources = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sources(path);
      return /\.(ts|tsx)$/.test(name) ? [path] : [];
    });

  it('is crossed only by src-main/electron/main.ts and preload.ts', () => {
    const importers = ['shared', 'src-main', 'src-renderer']
      .flatMap((dir) => sources(join(ROOT, dir)))
      .filter((file) => /(from\s+['"]electron['"]|require\(['"]electron['"]\)|import\(['"]electron['"]\))/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(ROOT, file).split('\\').join('/'))
      .sort();
    expect(importers).toEqual(['src-main/electron/main.ts', 'src-main/electron/preload.ts']);
  });

  const out = mkdtempSync(join(tmpdir(), 'gcterm-electron-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('bundles; the sandboxed preload requires only electron and exposes one object', async () => {
    await bundleElectron(ROOT, out);
    const preload = readFileSync(join(out, 'preload.cjs'), 'utf8');
    expect([...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1])).toEqual(['electron']);
    expect([...preload.matchAll(/exposeInMainWorld\(/g)]).toHaveLength(1);
    expect(preload).toContain('exposeInMainWorld("gcterm"');
    const main = readFileSync(join(out, 'main.cjs'), 'utf8');
    expect(main).toContain('requestSingleInstanceLock');
    expect(main).toContain('setWindowOpenHandler');
    expect(main).toContain('will-navigate');
    expect(main).toMatch(/require\("better-sqlite3"\)/);
  });
});

describe('packaging', () => {
  const yml = readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8');

  it('targets Windows NSIS and Linux AppImage + deb with an app id, a pinned Electron and unpacked native modules', () => {
    expect(yml).toMatch(/^appId: \S+/m);
    expect(yml).toMatch(/^electronVersion: \d+\.\d+\.\d+/m);
    expect(yml).toMatch(/target: nsis/);
    expect(yml).toMatch(/- AppImage/);
    expect(yml).toMatch(/- deb/);
    expect(yml).toMatch(/asarUnpack:[\s\S]*better-sqlite3/);
  });

  it('has its icons: a 512×512 PNG, the Linux sizes and a Windows .ico', () => {
    const icon = PNG.sync.read(readFileSync(join(ROOT, 'assets', 'icon.png')));
    expect([icon.width, icon.height]).toEqual([512, 512]);
    for (const size of [16, 32, 48, 128, 256, 512]) expect(existsSync(join(ROOT, 'assets', 'icons', `${size}x${size}.png`))).toBe(true);
    const ico = readFileSync(join(ROOT, 'assets', 'icon.ico'));
    expect(ico.readUInt16LE(2)).toBe(1);
    expect(ico.readUInt16LE(4)).toBeGreaterThanOrEqual(4);
  });
});
