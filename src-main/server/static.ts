/** Serves the built renderer from one directory; nothing outside it is ever readable. */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
  '.txt': 'text/plain; charset=utf-8',
};

export type StaticFile = Readonly<{ body: Buffer; contentType: string; immutable: boolean }>;

/**
 * Resolves a URL path to a file under `root`. Unknown paths without an extension fall back to
 * index.html (the app has one page); anything escaping `root` or not a file answers null.
 */
export async function readStatic(root: string, urlPath: string): Promise<StaticFile | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const base = path.resolve(root);
  const wanted = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
  const file = path.resolve(base, wanted);
  if (file !== base && !file.startsWith(base + path.sep)) return null;
  const found = await fileOrNull(file);
  if (found) return found;
  if (path.extname(wanted) === '') return fileOrNull(path.join(base, 'index.html'));
  return null;
}

async function fileOrNull(file: string): Promise<StaticFile | null> {
  try {
    const info = await stat(file);
    if (!info.isFile()) return null;
    const body = await readFile(file);
    const ext = path.extname(file).toLowerCase();
    return {
      body,
      contentType: TYPES[ext] ?? 'application/octet-stream',
      // Vite names built assets by content hash; index.html must always be fetched fresh.
      immutable: file.includes(`${path.sep}assets${path.sep}`),
    };
  } catch {
    return null;
  }
}
