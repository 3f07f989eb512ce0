/**
 * The Content-Security-Policy of the app's pages. No imports: the sandboxed Electron preload
 * bundles it through window-options.ts.
 */
/** One policy of the app's pages in both shells; only where events arrive from differs. */
export function appCsp(extraConnectSrc: readonly string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "media-src 'self' blob: mediastream:",
    ["connect-src 'self'", ...extraConnectSrc].join(' '),
    "worker-src 'self' blob:",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
