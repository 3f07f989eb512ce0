/**
 * The layer rules of docs/architecture.md ("Layers"), checked on every `npm test`
 * (`npm run lint:layers`). Each rule's name is what a violation prints; its comment says why.
 * SQL placement is not an import and is checked by ESLint instead (eslint.config.js).
 */
/** Packages that need a DOM (or React) and so may not reach shared/, which runs in both. */
const DOM_PACKAGES = '(^|/)node_modules/(react|react-dom|react-i18next|uplot|zxing-wasm|@zxing|@tanstack)(/|$)';
/** `electron` is an optional dependency: installed it resolves into node_modules, absent it stays a bare name. */
const ELECTRON = '(^|/)node_modules/electron/|^electron$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'shared-imports-no-src',
      severity: 'error',
      comment: 'shared/ is the common ground of the core and the renderer: it may not depend on either.',
      from: { path: '^shared/' },
      to: { path: '^src-' },
    },
    {
      name: 'shared-imports-no-node',
      severity: 'error',
      comment: 'shared/ also runs in the renderer, where node:* does not exist.',
      from: { path: '^shared/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'shared-imports-no-electron',
      severity: 'error',
      comment: 'shared/ runs in plain Node and in a browser; only src-main/electron/ knows Electron.',
      from: { path: '^shared/' },
      to: { path: ELECTRON },
    },
    {
      name: 'shared-imports-no-dom',
      severity: 'error',
      comment: 'shared/ also runs in the core (plain Node), where there is no DOM.',
      from: { path: '^shared/' },
      to: { path: DOM_PACKAGES },
    },
    {
      name: 'renderer-imports-only-shared',
      severity: 'error',
      comment: 'The renderer talks to the core only through the contract in shared/: never src-main/ (not even its types).',
      from: { path: '^src-renderer/' },
      to: { path: ['^src-main/', '^test/', '^bench/', '^bin/'] },
    },
    {
      name: 'renderer-imports-only-shared',
      severity: 'error',
      comment: 'No node:* and no electron in the page: it runs in a sandboxed renderer or a plain browser.',
      from: { path: '^src-renderer/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'electron-only-in-src-main-electron',
      severity: 'error',
      comment: 'Only src-main/electron/ imports electron: the core, the CLI and browser mode run without it.',
      from: { pathNot: '^src-main/electron/' },
      to: { path: ELECTRON },
    },
    {
      name: 'main-imports-no-renderer',
      severity: 'error',
      comment: 'The core never reaches into the UI; what both need lives in shared/.',
      from: { path: '^src-main/' },
      to: { path: '^src-renderer/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
