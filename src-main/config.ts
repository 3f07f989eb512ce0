/**
 * Terminal configuration: `<dataDir>/settings.json`, overridden by GCTERM_* environment variables
 * (documented in README.md). Validated with zod; an invalid file is refused with the field named.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { LANGUAGES, type Language } from '../shared/i18n/reasons.ts';
import { err, ok, type Result } from '../shared/result.ts';
import type { SettingsPatch } from '../shared/settings-patch.ts';
import { DEFAULT_PRINTER_SETTINGS, PrinterSettingsSchema } from './printing/settings.ts';

export const OfflineLimitsSchema = z.object({
  maxPerRedemptionFen: z.number().int().min(0).default(20_000),
  maxPerCardFen: z.number().int().min(0).default(50_000),
  maxExposureFen: z.number().int().min(0).default(200_000),
  maxQueueAgeHours: z.number().min(0).default(72),
  /** A static code never seen online: refused by default (0). */
  unknownStaticCapFen: z.number().int().min(0).default(0),
  /** A dynamic code cannot be mapped to its card offline: accepted up to this (0 refuses). */
  dynamicCapFen: z.number().int().min(0).default(10_000),
});
export type OfflineLimits = z.infer<typeof OfflineLimitsSchema>;

const TokenSchema = z.discriminatedUnion('provider', [
  z.object({ provider: z.literal('sandbox') }),
  z.object({ provider: z.literal('relay'), url: z.string().url() }),
  z.object({ provider: z.literal('appsecret'), appid: z.string().min(1), secret: z.string().min(1) }),
  z.object({
    provider: z.literal('component'),
    componentAppid: z.string().min(1),
    componentAppsecret: z.string().min(1),
    componentVerifyTicket: z.string().min(1),
    authorizerAppid: z.string().min(1),
    /** Initial refresh token; every rotated one is saved in the journal database. */
    authorizerRefreshToken: z.string().min(1),
  }),
  z.object({ provider: z.literal('static'), accessToken: z.string().min(1) }),
]);
export type TokenConfig = z.infer<typeof TokenSchema>;

export const SettingsSchema = z.object({
  /** null: the embedded simulator (SANDBOX). */
  apiBase: z.string().url().nullable().default(null),
  token: TokenSchema.default({ provider: 'sandbox' }),
  terminalId: z.string().min(1).max(64).default('T01'),
  locationId: z.string().max(64).nullable().default(null),
  merchantId: z.string().max(64).nullable().default(null),
  allowedCardIds: z.array(z.string()).default([]),
  cashier: z.string().max(64).default('cashier'),
  language: z.enum(LANGUAGES as [Language, ...Language[]]).default('zh-CN'),
  requestTimeoutMs: z.number().int().min(100).max(120_000).default(8_000),
  offline: OfflineLimitsSchema.default(OfflineLimitsSchema.parse({})),
  /** Cashier and manager PINs: PBKDF2 hashes (journal/people is the only reader). */
  people: z
    .array(z.object({ name: z.string(), role: z.enum(['cashier', 'manager']), pinHash: z.string() }))
    .default([]),
  scanners: z.record(z.string(), z.unknown()).default({}),
  /** The receipt printer (docs: README "Receipt printers"); GCTERM_PRINTER overrides `url`. */
  printer: PrinterSettingsSchema.default(DEFAULT_PRINTER_SETTINGS),
  /** Minutes without use before the counter locks and asks for a PIN again; 0 never. */
  idleLockMinutes: z.number().int().min(0).max(24 * 60).default(5),
});
export type Settings = z.infer<typeof SettingsSchema>;

/**
 * `settings` is read live from the store (what is saved, with the environment's overrides), so
 * followers that read it per use (the offline limits) see a change at once; `sandbox` is how this
 * start is connected: connection settings apply at the next start.
 */
export type Config = Readonly<{ dataDir: string; settings: Settings; sandbox: boolean; store: SettingsStore }>;

/**
 * Encryption the OS offers for secrets at rest (Electron's safeStorage: DPAPI on Windows, the
 * keyring on Linux). Plain Node has none: there the settings file is only owner-readable (0600).
 */
export type SecretBox = Readonly<{ encrypt(plain: string): string; decrypt(sealed: string): string }>;

const SEALED_PREFIX = 'enc:v1:';
const SECRET_TOKEN_FIELDS = ['secret', 'componentAppsecret', 'componentVerifyTicket', 'authorizerRefreshToken', 'accessToken'] as const;

function mapTokenSecrets(raw: Readonly<Record<string, unknown>>, map: (value: string) => string): Record<string, unknown> {
  const token = raw.token;
  if (token === null || typeof token !== 'object' || Array.isArray(token)) return { ...raw };
  const next: Record<string, unknown> = { ...(token as Record<string, unknown>) };
  for (const field of SECRET_TOKEN_FIELDS) {
    const value = next[field];
    if (typeof value === 'string') next[field] = map(value);
  }
  return { ...raw, token: next };
}

/** The settings as written to disk: every token secret sealed with the box. */
export function sealSecrets(raw: Readonly<Record<string, unknown>>, box: SecretBox): Record<string, unknown> {
  return mapTokenSecrets(raw, (value) => (value.startsWith(SEALED_PREFIX) ? value : `${SEALED_PREFIX}${box.encrypt(value)}`));
}

function openSecrets(raw: Readonly<Record<string, unknown>>, box: SecretBox | undefined): Record<string, unknown> {
  return mapTokenSecrets(raw, (value) => {
    if (!value.startsWith(SEALED_PREFIX)) return value;
    if (!box) throw new ConfigError('settings: the credentials were encrypted by the desktop app and can only be read there (or set GCTERM_* variables)');
    try {
      return box.decrypt(value.slice(SEALED_PREFIX.length));
    } catch {
      throw new ConfigError('settings: the saved credentials cannot be decrypted on this PC/user: enter them again in Settings');
    }
  });
}

export class ConfigError extends Error {}

export function defaultDataDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return env.GCTERM_DATA_DIR ?? join(homedir(), '.gcterm');
}

const settingsPath = (dataDir: string) => join(dataDir, 'settings.json');

export function readSettingsFile(dataDir: string): Record<string, unknown> {
  const path = settingsPath(dataDir);
  if (!existsSync(path)) return {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(`${path}: not valid JSON (${(error as Error).message})`);
  }
}

/** Writes atomically (temp file + rename) so a power cut never leaves half a settings file. */
export function writeSettingsFile(dataDir: string, settings: Readonly<Record<string, unknown>>): void {
  mkdirSync(dataDir, { recursive: true });
  const path = settingsPath(dataDir);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}

const fenFromEnv = (value: string | undefined): number | undefined => {
  if (value === undefined || value === '') return undefined;
  if (!/^\d+$/.test(value)) throw new ConfigError(`expected whole fen, got "${value}"`);
  return Number.parseInt(value, 10);
};

/**
 * GCTERM_LANG as people write language tags ("en-US", "zh", "zh_CN.UTF-8"), mapped onto the
 * supported languages the way the CLI's --lang is; anything else is passed on and refused by the
 * schema with the field named.
 */
function languageFromEnv(value: string | undefined): string | undefined {
  if (value === undefined || (LANGUAGES as readonly string[]).includes(value)) return value;
  const lower = value.toLowerCase();
  if (lower.startsWith('en')) return 'en';
  if (lower.startsWith('zh')) return 'zh-CN';
  return value;
}

/** Environment overrides on top of the file (the environment wins). */
function applyEnv(raw: Record<string, unknown>, env: Readonly<Record<string, string | undefined>>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...raw };
  const set = (key: string, value: string | undefined) => {
    if (value !== undefined && value !== '') out[key] = value;
  };
  set('apiBase', env.GCTERM_API_BASE);
  set('terminalId', env.GCTERM_TERMINAL_ID);
  set('locationId', env.GCTERM_LOCATION_ID);
  set('merchantId', env.GCTERM_MERCHANT_ID);
  set('cashier', env.GCTERM_CASHIER);
  set('language', languageFromEnv(env.GCTERM_LANG));
  if (env.GCTERM_ALLOWED_CARD_IDS) out.allowedCardIds = env.GCTERM_ALLOWED_CARD_IDS.split(',').map((s) => s.trim()).filter(Boolean);
  if (env.GCTERM_TIMEOUT_MS) out.requestTimeoutMs = Number(env.GCTERM_TIMEOUT_MS);
  if (env.GCTERM_ACCESS_TOKEN) out.token = { provider: 'static', accessToken: env.GCTERM_ACCESS_TOKEN };
  else if (env.GCTERM_TOKEN_URL) out.token = { provider: 'relay', url: env.GCTERM_TOKEN_URL };
  else if (env.GCTERM_APPID || env.GCTERM_APPSECRET) out.token = { provider: 'appsecret', appid: env.GCTERM_APPID, secret: env.GCTERM_APPSECRET };
  const offline: Record<string, unknown> = { ...((raw.offline as Record<string, unknown> | undefined) ?? {}) };
  const limits: ReadonlyArray<readonly [string, string]> = [
    ['GCTERM_OFFLINE_MAX_PER_REDEMPTION_FEN', 'maxPerRedemptionFen'],
    ['GCTERM_OFFLINE_MAX_PER_CARD_FEN', 'maxPerCardFen'],
    ['GCTERM_OFFLINE_MAX_EXPOSURE_FEN', 'maxExposureFen'],
    ['GCTERM_OFFLINE_UNKNOWN_STATIC_CAP_FEN', 'unknownStaticCapFen'],
    ['GCTERM_OFFLINE_DYNAMIC_CAP_FEN', 'dynamicCapFen'],
  ];
  for (const [name, key] of limits) {
    const fen = fenFromEnv(env[name]);
    if (fen !== undefined) offline[key] = fen;
  }
  if (env.GCTERM_OFFLINE_MAX_QUEUE_AGE_HOURS) offline.maxQueueAgeHours = Number(env.GCTERM_OFFLINE_MAX_QUEUE_AGE_HOURS);
  out.offline = offline;
  if (env.GCTERM_PRINTER) out.printer = { ...((raw.printer as Record<string, unknown> | undefined) ?? {}), url: env.GCTERM_PRINTER };
  return out;
}

function effectiveSettings(raw: Readonly<Record<string, unknown>>, env: Readonly<Record<string, string | undefined>>, box: SecretBox | undefined): Settings {
  const parsed = SettingsSchema.safeParse(applyEnv(openSecrets(raw, box), env));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`settings: ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

export function loadConfig(
  dataDir: string = defaultDataDir(),
  env: Readonly<Record<string, string | undefined>> = process.env,
  box?: SecretBox,
): Config {
  const store = new SettingsStore(dataDir, env, box);
  // Sandbox = the embedded simulator: no api base given and no real credentials configured.
  const sandbox = store.current.apiBase === null;
  return {
    dataDir,
    get settings() {
      return store.current;
    },
    sandbox,
    store,
  };
}

/** The first key of a patch (with its path) that the saved file cannot take. */
export type PatchProblem = Readonly<{ field: string }>;

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** The token after a patch: an omitted secret keeps the saved one where it still belongs. */
function patchToken(saved: unknown, patch: NonNullable<SettingsPatch['token']>): Record<string, unknown> {
  const before = isObject(saved) ? saved : {};
  const defined = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
  if (before.provider !== patch.provider) return defined;
  if (patch.provider === 'appsecret' && before.appid !== patch.appid) return defined;
  if (patch.provider === 'relay' || patch.provider === 'sandbox') return defined;
  return { ...before, ...defined };
}

/**
 * The settings file after a patch: exactly the keys present change (offline limits and scanner
 * sections merged key by key), everything else stays as saved, byte for byte. Refused whole with
 * the field named when the result would not be valid settings.
 */
export function applySettingsPatch(raw: Readonly<Record<string, unknown>>, patch: SettingsPatch): Result<Record<string, unknown>, PatchProblem> {
  const next: Record<string, unknown> = { ...raw };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (key === 'offline' || key === 'printer') next[key] = { ...(isObject(raw[key]) ? raw[key] : {}), ...(value as object) };
    else if (key === 'token') next.token = patchToken(raw.token, value as NonNullable<SettingsPatch['token']>);
    else if (key === 'scanners') {
      const saved = isObject(raw.scanners) ? raw.scanners : {};
      const merged: Record<string, unknown> = { ...saved };
      for (const [section, fields] of Object.entries(value as Record<string, Record<string, unknown>>)) {
        merged[section] = { ...(isObject(saved[section]) ? saved[section] : {}), ...fields };
      }
      next.scanners = merged;
    } else next[key] = value;
  }
  const checked = SettingsSchema.safeParse(next);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const path = issue?.path.map(String) ?? [];
    // A secret missing from a new token is the one thing to ask for by name.
    return err({ field: path.join('.') || '?' });
  }
  return ok(next);
}

export type SettingsChange = Readonly<{ settings: Settings; changed: readonly (keyof Settings)[] }>;

/**
 * The one place settings are read and changed at run time: `current` is what is saved (with the
 * environment's overrides), `apply` changes exactly what a patch names and saves it atomically
 * (secrets sealed when the OS offers a box), and followers (scanners, connectivity, limits, the
 * UI's language) hear `onChange` instead of sharing a mutable object.
 */
export class SettingsStore {
  #current: Settings;
  readonly #listeners = new Set<(change: SettingsChange) => void>();

  constructor(
    readonly dataDir: string,
    private readonly env: Readonly<Record<string, string | undefined>>,
    private readonly box: SecretBox | undefined,
  ) {
    this.#current = effectiveSettings(readSettingsFile(dataDir), env, box);
  }

  get current(): Settings {
    return this.#current;
  }

  /** Whether a settings file exists (a first start has none). */
  get saved(): boolean {
    return existsSync(settingsPath(this.dataDir));
  }

  apply(patch: SettingsPatch): Result<SettingsChange, PatchProblem> {
    const raw = readSettingsFile(this.dataDir);
    const next = applySettingsPatch(raw, patch);
    if (!next.ok) return next;
    let settings: Settings;
    try {
      settings = effectiveSettings(next.value, this.env, this.box);
    } catch (error) {
      return err({ field: (error as Error).message });
    }
    writeSettingsFile(this.dataDir, this.box ? sealSecrets(next.value, this.box) : next.value);
    const before = this.#current;
    this.#current = settings;
    const changed = (Object.keys(settings) as (keyof Settings)[]).filter((key) => JSON.stringify(before[key]) !== JSON.stringify(settings[key]));
    const change = { settings, changed };
    for (const listener of this.#listeners) {
      try {
        listener(change);
      } catch {
        // A follower's failure is its own: the settings are saved.
      }
    }
    return ok(change);
  }

  onChange(listener: (change: SettingsChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
