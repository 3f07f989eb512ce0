/**
 * One secret value at rest (the rotated authorizer_refresh_token in the journal's secrets
 * table): sealed as `enc:v1:<box output>` when the OS offers a secret box (Electron's
 * safeStorage), in clear otherwise, like the settings file's credentials. Reading accepts what
 * either kind of process wrote: the CLI (no box) writes clear values the app reads, and a value
 * the app sealed is refused by the CLI with a clear reason rather than sent as a token.
 */
import { ConfigError, type SecretBox } from './config.ts';

const SEALED_PREFIX = 'enc:v1:';

export function sealValue(value: string, box: SecretBox | undefined): string {
  return box ? `${SEALED_PREFIX}${box.encrypt(value)}` : value;
}

export function openValue(stored: string | null, box: SecretBox | undefined): string | null {
  if (stored === null) return null;
  if (!stored.startsWith(SEALED_PREFIX)) {
    if (!box) return stored;
    // Before the prefix, the app stored the box's output bare: still readable.
    try {
      return box.decrypt(stored);
    } catch {
      return stored;
    }
  }
  if (!box) throw new ConfigError('the saved refresh token was encrypted by the desktop app and can only be read there');
  try {
    return box.decrypt(stored.slice(SEALED_PREFIX.length));
  } catch {
    throw new ConfigError('the saved refresh token cannot be decrypted on this PC/user: enter the refresh token again in Settings');
  }
}
