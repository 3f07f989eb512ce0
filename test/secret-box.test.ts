import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SecretBox } from '../src-main/config.ts';
import { openCore } from '../src-main/core.ts';
import { SANDBOX_APPID, SANDBOX_SECRET } from '../src-main/sim/index.ts';
import { openTerminal } from '../src-main/terminal.ts';
import { startTestSim, type TestSim } from './helpers/sim.ts';
import { tempDir } from './helpers/terminal.ts';

/**
 * Stands in for Electron's safeStorage, which cannot run here: a reversible scramble keyed to
 * "this user", enough to show what reaches the disk.
 */
const FakeSecretBox = (user: string): SecretBox => ({
  encrypt: (plain) => Buffer.from(`${user}:${plain}`).toString('base64'),
  decrypt: (sealed) => {
    const text = Buffer.from(sealed, 'base64').toString();
    if (!text.startsWith(`${user}:`)) throw new Error('not this user');
    return text.slice(user.length + 1);
  },
});

let sim: TestSim;
beforeAll(async () => {
  sim = await startTestSim();
});
afterAll(async () => sim.close());

describe('credentials at rest', () => {
  it('are sealed on disk when the OS offers secret storage, and work after a restart', async () => {
    const dir = tempDir();
    const box = FakeSecretBox('alice');
    const env = { GCTERM_API_BASE: sim.url };
    let core = await openCore({ dataDir: dir.path, env, secretBox: box });
    // Credentials of a LIVE terminal change only once the fresh-install PINs are gone.
    await core['people:resetPin']({ managerPin: '9999', name: '收银员1', pin: '2468' });
    await core['people:resetPin']({ managerPin: '9999', name: '店长', pin: '8642' });
    const saved = await core['settings:update']({ managerPin: '8642', patch: { token: { provider: 'appsecret', appid: SANDBOX_APPID, secret: SANDBOX_SECRET } } });
    expect(saved.ok).toBe(true);
    await core.close();
    const onDisk = readFileSync(join(dir.path, 'settings.json'), 'utf8');
    expect(onDisk).not.toContain(SANDBOX_SECRET);
    expect(onDisk).toContain('enc:v1:');

    core = await openCore({ dataDir: dir.path, env, secretBox: box });
    await core['session:signIn']({ pin: '2468' });
    const lookup = await core['card:lookup']({ code: '688000000001' });
    expect(lookup.ok).toBe(true); // the decrypted secret fetched a token
    await core.close();

    // Another user (or plain Node, without the box) cannot read them and is told why.
    await expect(openTerminal({ dataDir: dir.path, env, secretBox: FakeSecretBox('mallory') })).rejects.toThrow(/cannot be decrypted/);
    await expect(openTerminal({ dataDir: dir.path, env })).rejects.toThrow(/encrypted by the desktop app/);
    dir.remove();
  });
});
