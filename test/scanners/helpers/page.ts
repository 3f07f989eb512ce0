import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { build } from 'vite';

const REPO = resolve(import.meta.dirname, '..', '..', '..');

/**
 * The Content-Security-Policy the terminal's renderer runs under: nothing from outside, and
 * 'wasm-unsafe-eval' so zxing-wasm can compile its (same-origin) WebAssembly.
 */
export const TERMINAL_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:";

/**
 * A small counter screen: an amount field and a notes field in a payment form, with the real
 * renderer scanner modules loaded and everything the tests watch recorded on `window.seen`.
 */
const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>scanner test counter</title></head>
<body>
  <form id="pay">
    <label>Amount <input id="amount" name="amount" inputmode="decimal" autocomplete="off"></label>
    <label>Notes <input id="notes" name="notes" autocomplete="off"></label>
    <button type="submit">Pay</button>
  </form>
  <video id="preview" width="320" height="240"></video>
  <script type="module" src="./entry.ts"></script>
</body></html>
`;

const ENTRY = `
import { attachKeyboardWedge, recordCalibrationScans } from ${JSON.stringify(join(REPO, 'src-renderer/scanners/wedge.ts'))};
import { calibrateWedge } from ${JSON.stringify(join(REPO, 'src-renderer/scanners/wedge-detector.ts'))};
import { createCameraScanner, listCameras } from ${JSON.stringify(join(REPO, 'src-renderer/scanners/camera.ts'))};
import { createScanPipeline } from ${JSON.stringify(join(REPO, 'shared/scan/pipeline.ts'))};
import { DEFAULT_SCANNER_SETTINGS } from ${JSON.stringify(join(REPO, 'shared/scan/settings.ts'))};

const seen = { scans: [], amountInputs: [], amountKeys: [], notesKeys: [], submits: [], arrivals: [] };
window.seen = seen;
// Registered before the wedge attaches, so it sees every key first: when did the page get to it?
window.addEventListener('keydown', (e) => seen.arrivals.push({ code: e.code, at: e.timeStamp, handled: performance.now() }), true);
const amount = document.getElementById('amount');
const notes = document.getElementById('notes');
amount.addEventListener('input', () => seen.amountInputs.push(amount.value));
amount.addEventListener('keydown', (e) => seen.amountKeys.push(e.key));
notes.addEventListener('keydown', (e) => seen.notesKeys.push(e.key));
document.getElementById('pay').addEventListener('submit', (e) => {
  e.preventDefault();
  seen.submits.push(amount.value);
});
window.scanners = { attachKeyboardWedge, recordCalibrationScans, calibrateWedge, createCameraScanner, listCameras, createScanPipeline, DEFAULT_SCANNER_SETTINGS };
window.scannersReady = true;
`;

export type BuiltPage = { readonly dir: string; cleanup(): Promise<void> };

/** Bundles the test counter page with Vite (the renderer's bundler) into a temp dir. */
export async function buildScannerPage(): Promise<BuiltPage> {
  const dir = await mkdtemp(join(tmpdir(), 'gcterm-scanner-page-'));
  const out = join(dir, 'dist');
  await writeFile(join(dir, 'index.html'), PAGE);
  await writeFile(join(dir, 'entry.ts'), ENTRY);
  await build({
    root: dir,
    configFile: false,
    logLevel: 'silent',
    publicDir: false,
    base: './',
    build: { outDir: out, emptyOutDir: true, minify: false, target: 'es2022', reportCompressedSize: false, rollupOptions: { input: join(dir, 'index.html') } },
    worker: { format: 'es' },
    server: { fs: { allow: [REPO, dir] } },
  });
  return { dir: out, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
};

export type StaticServer = { readonly url: string; close(): Promise<void> };

/** Serves a built page on 127.0.0.1 (a secure context, so the camera API exists) with the terminal's CSP. */
export async function serveStatic(dir: string, csp = TERMINAL_CSP): Promise<StaticServer> {
  const server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(dir, path === '/' ? 'index.html' : path);
    stat(file).then(
      (info) => {
        if (!info.isFile() || !file.startsWith(dir)) throw new Error('not a file');
        response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-security-policy': csp, 'cache-control': 'no-store' });
        createReadStream(file).pipe(response);
      },
      () => {
        response.writeHead(404).end();
      },
    );
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((done) => server.close(() => done())),
  };
}
