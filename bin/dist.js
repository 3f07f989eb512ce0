#!/usr/bin/env node
// `npm run dist`: builds the renderer and the Electron bundle, then packages the installers with
// electron-builder (electron-builder.yml: Windows NSIS, Linux AppImage + deb). NEEDS INTERNET:
// electron-builder downloads the Electron runtime and the headers to rebuild native modules.
// Extra arguments go to electron-builder, e.g. `npm run dist -- --linux deb` or `-- --win`.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const root = fileURLToPath(new URL('..', import.meta.url));
const { buildRenderer } = await import('../src-main/cli/serve.ts');
const { bundleElectron } = await import('../src-main/electron/bundle.ts');

process.stdout.write('Building the renderer…\n');
await buildRenderer();
process.stdout.write('Bundling the Electron main process and preload…\n');
await bundleElectron(root);
process.stdout.write('Packaging with electron-builder (downloads Electron: needs internet)…\n');
const result = spawnSync(join(root, 'node_modules', '.bin', 'electron-builder'), ['--config', 'electron-builder.yml', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  shell: process.platform === 'win32',
});
process.exitCode = result.status ?? 1;
