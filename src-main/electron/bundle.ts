/**
 * Bundles the Electron shell for `npm start` and `npm run dist`: main.ts (with the core) to
 * dist-electron/main.cjs and preload.ts to dist-electron/preload.cjs. Native and optional modules
 * stay external (they are loaded from node_modules, unpacked from the asar when packaged).
 */
import { join } from 'node:path';
import { build } from 'esbuild';

const EXTERNAL = ['electron', 'better-sqlite3', 'serialport', '@serialport/*', 'node-hid', 'vite', 'esbuild', 'zxing-wasm', '@zxing/*', 'jpeg-js', 'pngjs'];

export async function bundleElectron(root: string, outDir: string = join(root, 'dist-electron')): Promise<void> {
  await build({
    absWorkingDir: root,
    entryPoints: [join(root, 'src-main', 'electron', 'main.ts')],
    outfile: join(outDir, 'main.cjs'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    // Electron 38 runs Node 22.
    target: 'node22',
    external: EXTERNAL,
    sourcemap: true,
    logLevel: 'warning',
  });
  await build({
    absWorkingDir: root,
    entryPoints: [join(root, 'src-main', 'electron', 'preload.ts')],
    outfile: join(outDir, 'preload.cjs'),
    bundle: true,
    // A sandboxed preload is a browser-like context that may require only `electron`.
    platform: 'browser',
    format: 'cjs',
    target: 'chrome130',
    external: ['electron'],
    logLevel: 'warning',
  });
}
