/**
 * PIN hashing and the rules for a new PIN. Hashes are scrypt (memory-hard) through node:crypto's
 * asynchronous API, so a check runs on the thread pool and never blocks the event loop. Hashes
 * from older releases (PBKDF2-SHA256, 100 000 rounds) still verify and are upgraded on success.
 */
import { pbkdf2, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { ReasonCode } from '../../shared/reasons.ts';

/** N = 2^14, r = 8: 16 MiB and about 30–60 ms per check on a counter PC, on the thread pool. */
const SCRYPT = { N: 1 << 14, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;

function scryptAsync(pin: string, salt: Buffer, options: Readonly<{ N: number; r: number; p: number }>): Promise<Buffer> {
  const params: ScryptOptions = { ...options, maxmem: 256 * options.N * options.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(pin, salt, KEY_LENGTH, params, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

function pbkdf2Async(pin: string, salt: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    pbkdf2(pin, salt, 100_000, 32, 'sha256', (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** `scrypt$N$r$p$salt$hash` (hex). */
export async function hashPin(pin: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(pin, salt, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('hex')}$${key.toString('hex')}`;
}

export type PinCheck = 'match' | 'match_upgrade' | 'no_match';

const equal = (a: Buffer, b: Buffer): boolean => a.length === b.length && timingSafeEqual(a, b);

/** Whether `pin` matches `stored`; `match_upgrade` when the stored hash is an older scheme. */
export async function verifyPin(pin: string, stored: string): Promise<PinCheck> {
  const parts = stored.split('$');
  if (parts[0] === 'scrypt' && parts.length === 6) {
    const [, n, r, p, salt, hash] = parts;
    const options = { N: Number(n), r: Number(r), p: Number(p) };
    if (!Number.isInteger(options.N) || !Number.isInteger(options.r) || !Number.isInteger(options.p)) return 'no_match';
    const key = await scryptAsync(pin, Buffer.from(salt ?? '', 'hex'), options);
    if (!equal(key, Buffer.from(hash ?? '', 'hex'))) return 'no_match';
    return options.N < SCRYPT.N || options.r < SCRYPT.r ? 'match_upgrade' : 'match';
  }
  if (parts[0] === 'pbkdf2' && parts.length === 3) {
    const [, salt, hash] = parts;
    const key = await pbkdf2Async(pin, salt ?? '');
    return equal(key, Buffer.from(hash ?? '', 'hex')) ? 'match_upgrade' : 'no_match';
  }
  return 'no_match';
}

/** PINs of a fresh install; LIVE is refused while either is still in use. */
export const DEFAULT_PINS: readonly string[] = ['1234', '9999'];

/** Why a new PIN is refused, or null when it may be used. */
export function newPinProblem(pin: string): ReasonCode | null {
  if (!/^\d{4,8}$/.test(pin)) return 'pin_format';
  if (/^(\d)\1+$/.test(pin)) return 'pin_too_simple';
  return null;
}

/** Why a person's name is refused, or null. Names are shown on receipts and the journal. */
export function nameProblem(name: string): ReasonCode | null {
  const trimmed = name.trim();
  // eslint-disable-next-line no-control-regex
  if (trimmed.length === 0 || [...trimmed].length > 32 || /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(name)) return 'person_name_invalid';
  return null;
}
