/**
 * Renderer build: index.html + src-renderer → dist/renderer. Relative asset URLs (`base: './'`)
 * so the same build loads from browser mode's http://127.0.0.1 and from Electron's app:// scheme.
 * No inline scripts or styles are emitted, so the strict CSP needs no 'unsafe-inline'.
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [react()],
  publicDir: false,
  build: {
    outDir: 'dist/renderer',
    emptyOutDir: true,
    target: 'chrome120',
    // The module preload polyfill is an inline script; Chromium does not need it.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
  },
  server: { host: '127.0.0.1', strictPort: false },
});
