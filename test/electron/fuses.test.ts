/**
 * The shipped Electron (issue 11): a supported major, the same in electron-builder.yml and
 * package.json, and the fuses that take Node's back doors out of the packaged binary.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const yml = readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8');

/** The top-level scalars and the one-level `electronFuses` map of electron-builder.yml. */
function readConfig(text: string): Record<string, unknown> {
  const scalar = (value: string): unknown => (value === 'true' ? true : value === 'false' ? false : value);
  const out: Record<string, unknown> = {};
  let section: Record<string, unknown> | null = null;
  for (const line of text.split('\n')) {
    if (/^\s*(#|$)/.test(line)) continue;
    const top = /^(\w+):\s*(.*)$/.exec(line);
    if (top) {
      section = top[2] === '' ? {} : null;
      out[top[1] ?? ''] = section ?? scalar((top[2] ?? '').trim());
      continue;
    }
    const nested = /^ {2}(\w+):\s*(\S+)\s*$/.exec(line);
    if (nested && section) section[nested[1] ?? ''] = scalar(nested[2] ?? '');
  }
  return out;
}
const config = readConfig(yml);
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { optionalDependencies?: Record<string, string>; devDependencies?: Record<string, string> };

describe('the packaged Electron', () => {
  it('is the supported line package.json installs (45), pinned for the build', () => {
    const version = String(config.electronVersion);
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    const major = Number(version.split('.')[0]);
    expect(major).toBeGreaterThanOrEqual(45);
    const wanted = pkg.optionalDependencies?.electron ?? pkg.devDependencies?.electron ?? '';
    expect(wanted.replace(/^[\^~]/, '').split('.')[0]).toBe(String(major));
  });

  it('has its fuses set: no RunAsNode, NODE_OPTIONS or --inspect; encrypted cookies; the app only from an integrity-checked asar', () => {
    expect(config.asar).toBe(true);
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });
});
