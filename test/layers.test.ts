/**
 * The layer check (`npm run lint:layers`, part of `npm test`) bites: the repository's own
 * .dependency-cruiser.cjs and eslint.config.js are run over a small tree in a temp directory,
 * first clean (it passes), then with one violation of each rule planted (it fails and names the
 * rule and the file). The real tree is checked by `npm test` itself.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const run = promisify(execFile);

type Outcome = { code: number; output: string };

async function check(cwd: string, tool: 'depcruise' | 'eslint'): Promise<Outcome> {
  const args = tool === 'depcruise' ? ['--config', '.dependency-cruiser.cjs', 'shared', 'src-main', 'src-renderer'] : ['--quiet', 'shared', 'src-main', 'src-renderer'];
  try {
    const { stdout, stderr } = await run(join(ROOT, 'node_modules', '.bin', tool), args, { cwd, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** A tree that follows every rule: the same shapes as the real one, in miniature. */
const CLEAN: Readonly<Record<string, string>> = {
  'shared/money.ts': 'export const fen = (yuan: number): number => Math.round(yuan * 100);\n',
  'shared/contract.ts': "import { fen } from './money.ts';\nexport const ONE = fen(1);\n",
  'src-renderer/screen.tsx': "import { ONE } from '../shared/contract.ts';\nexport const label = (): string => String(ONE);\n",
  'src-main/core.ts': "import { readFileSync } from 'node:fs';\nimport { countQueued } from './journal/queue.ts';\nexport const status = (db: unknown) => [readFileSync, countQueued(db)];\n",
  'src-main/journal/queue.ts':
    "type Db = { prepare(sql: string): { get(): unknown } };\nexport const countQueued = (db: unknown) => (db as Db).prepare(\"SELECT count(*) AS n FROM redemptions WHERE state = 'queued'\").get();\n",
  'src-main/sim/store.ts': "type Db = { exec(sql: string): void };\nexport const init = (db: Db) => db.exec(`CREATE TABLE cards (code TEXT PRIMARY KEY)`);\n",
  'src-main/electron/main.ts': "const { app } = require('electron') as { app: unknown };\nexport const shell = app;\n",
};

let dir = '';

function plant(files: Readonly<Record<string, string>>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gcterm-layers-'));
  for (const file of ['.dependency-cruiser.cjs', 'eslint.config.js', 'tsconfig.base.json', 'package.json']) copyFileSync(join(ROOT, file), join(dir, file));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  plant(CLEAN);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the layer check', () => {
  it('passes a tree that follows the rules', async () => {
    const imports = await check(dir, 'depcruise');
    expect(imports.output).toContain('no dependency violations found');
    expect(imports.code).toBe(0);
    const sql = await check(dir, 'eslint');
    expect(sql.output).not.toContain('sql-only-in-journal');
    expect(sql.code).toBe(0);
  });

  it('fails on each import across a layer, naming the rule and the file', async () => {
    plant({
      'shared/bad-src.ts': "import { status } from '../src-main/core.ts';\nexport const s = status;\n",
      'shared/bad-node.ts': "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n",
      'shared/bad-dom.ts': "import { useState } from 'react';\nexport const u = useState;\n",
      'shared/bad-electron.ts': "const e = require('electron') as unknown;\nexport const x = e;\n",
      'src-renderer/bad-main.tsx': "import type { status } from '../src-main/core.ts';\nexport type S = typeof status;\n",
      'src-renderer/bad-node.ts': "import { join } from 'node:path';\nexport const j = join;\n",
      'src-main/bad-electron.ts': "const { app } = require('electron') as { app: unknown };\nexport const a = app;\n",
      'src-main/bad-renderer.ts': "import { label } from '../src-renderer/screen.tsx';\nexport const l = label;\n",
    });
    try {
      const { code, output } = await check(dir, 'depcruise');
      expect(code).not.toBe(0);
      const lines = output.split('\n');
      const violation = (rule: string, from: string): boolean => lines.some((l) => l.includes(`error ${rule}:`) && l.includes(`${from} →`));
      expect(violation('shared-imports-no-src', 'shared/bad-src.ts')).toBe(true);
      expect(violation('shared-imports-no-node', 'shared/bad-node.ts')).toBe(true);
      expect(violation('shared-imports-no-dom', 'shared/bad-dom.ts')).toBe(true);
      expect(violation('shared-imports-no-electron', 'shared/bad-electron.ts')).toBe(true);
      expect(violation('renderer-imports-only-shared', 'src-renderer/bad-main.tsx')).toBe(true);
      expect(violation('renderer-imports-only-shared', 'src-renderer/bad-node.ts')).toBe(true);
      expect(violation('electron-only-in-src-main-electron', 'src-main/bad-electron.ts')).toBe(true);
      expect(violation('main-imports-no-renderer', 'src-main/bad-renderer.ts')).toBe(true);
      // The clean files are not blamed.
      expect(lines.some((l) => l.includes('src-main/electron/main.ts →'))).toBe(false);
    } finally {
      for (const f of ['shared/bad-src.ts', 'shared/bad-node.ts', 'shared/bad-dom.ts', 'shared/bad-electron.ts', 'src-renderer/bad-main.tsx', 'src-renderer/bad-node.ts', 'src-main/bad-electron.ts', 'src-main/bad-renderer.ts']) {
        rmSync(join(dir, f), { force: true });
      }
    }
  });

  it('fails on SQL outside the journal, naming the rule and the line', async () => {
    plant({
      // A prepared statement in a core module, as there once was in core.ts.
      'src-main/status.ts': "type Db = { prepare(sql: string): { get(): unknown } };\nexport const n = (db: Db) =>\n  db.prepare('SELECT count(*) AS n FROM redemptions').get();\n",
      // SQL text handed to some other runner (a template, no prepare in sight).
      'src-main/redemption/queue.ts': "export const sql = (column: string) => `UPDATE redemptions SET ${column} = ? WHERE id = ?`;\n",
      // A transaction opened outside the journal, with an escape hatch that must not work.
      'src-renderer/tx.ts': "// eslint-disable-next-line no-restricted-syntax\nexport const t = (db: { transaction(f: () => void): void }) => db.transaction(() => {});\n",
    });
    try {
      const { code, output } = await check(dir, 'eslint');
      expect(code).not.toBe(0);
      const blamed = (file: string, line: number): boolean => {
        const block = output.split(/\n(?=\/)/).find((b) => b.startsWith(join(dir, file)) || b.includes(`${file}\n`));
        return block !== undefined && new RegExp(`^\\s+${line}:\\d+\\s+error\\s+sql-only-in-journal`, 'm').test(block);
      };
      expect(blamed('src-main/status.ts', 3)).toBe(true);
      expect(blamed('src-main/redemption/queue.ts', 1)).toBe(true);
      expect(blamed('src-renderer/tx.ts', 2)).toBe(true);
      // The journal and the simulator's store keep theirs.
      expect(output).not.toContain('journal/queue.ts');
      expect(output).not.toContain('sim/store.ts');
    } finally {
      for (const f of ['src-main/status.ts', 'src-main/redemption/queue.ts', 'src-renderer/tx.ts']) rmSync(join(dir, f), { force: true });
    }
  });
});
