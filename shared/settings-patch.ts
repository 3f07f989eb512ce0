/**
 * The typed settings patch the Settings screen, first-run setup and `gcterm setup` send to the
 * core. Every key is optional and has NO default: a key that is absent is left exactly as saved
 * (zod's `.partial()` over a schema with `.default()`s would fill the defaults back in, which is
 * how a language switch used to reset the merchant scope). Unknown keys are refused.
 *
 * Secrets are write-only: a token patch that omits its secret keeps the saved one (same provider
 * and, for AppID + AppSecret, the same AppID).
 */
import { z } from 'zod';

const url = z.string().max(2_000).regex(/^https?:\/\/[^\s]+$/, 'expected an http(s) URL');
const id = z.string().trim().max(64);
const secret = z.string().min(1).max(2_048);
const fen = z.number().int().min(0).max(100_000_000_00);

export const OfflineLimitsPatchSchema = z
  .object({
    maxPerRedemptionFen: fen,
    maxPerCardFen: fen,
    maxExposureFen: fen,
    maxQueueAgeHours: z.number().min(0).max(24 * 365),
    unknownStaticCapFen: fen,
    dynamicCapFen: fen,
  })
  .partial()
  .strict();

export const TokenPatchSchema = z.discriminatedUnion('provider', [
  z.object({ provider: z.literal('sandbox') }).strict(),
  z.object({ provider: z.literal('relay'), url }).strict(),
  z.object({ provider: z.literal('appsecret'), appid: id.min(1), secret: secret.optional() }).strict(),
  z
    .object({
      provider: z.literal('component'),
      componentAppid: id.min(1).optional(),
      componentAppsecret: secret.optional(),
      componentVerifyTicket: secret.optional(),
      authorizerAppid: id.min(1).optional(),
      authorizerRefreshToken: secret.optional(),
    })
    .strict(),
  z.object({ provider: z.literal('static'), accessToken: secret.optional() }).strict(),
]);
export type TokenPatch = z.infer<typeof TokenPatchSchema>;

/** The receipt printer, merged key by key (the address is checked by the core: PrinterSettingsSchema). */
export const PrinterPatchSchema = z
  .object({
    url: z.string().trim().max(300),
    paperWidth: z.union([z.literal(58), z.literal(80)]),
    autoPrint: z.boolean(),
    storeName: z.string().max(40),
  })
  .partial()
  .strict();
export type PrinterPatch = z.infer<typeof PrinterPatchSchema>;

/** Scanner settings are merged one section (serial, hid, wedge, camera) at a time. */
const ScannersPatchSchema = z.record(z.string().max(32), z.record(z.string().max(64), z.unknown()));

export const SettingsPatchSchema = z
  .object({
    /** null: the embedded simulator (SANDBOX). */
    apiBase: url.nullable(),
    token: TokenPatchSchema,
    terminalId: id.min(1),
    locationId: id.nullable(),
    merchantId: id.nullable(),
    allowedCardIds: z.array(id.min(1)).max(1_000),
    language: z.enum(['zh-CN', 'en']),
    requestTimeoutMs: z.number().int().min(100).max(120_000),
    offline: OfflineLimitsPatchSchema,
    scanners: ScannersPatchSchema,
    /** Minutes without use before the counter locks and asks for a PIN again; 0 never. */
    idleLockMinutes: z.number().int().min(0).max(24 * 60),
    /** The desktop shell (installer options): kiosk, full screen, start at login. */
    shell: z.object({ kiosk: z.boolean(), fullscreen: z.boolean(), startAtLogin: z.boolean() }).partial().strict(),
    printer: PrinterPatchSchema,
  })
  .partial()
  .strict();
export type SettingsPatch = z.infer<typeof SettingsPatchSchema>;

/** Keys of a patch that touch money or credentials: the CLI asks for a manager for these. */
export const SENSITIVE_SETTINGS: readonly (keyof SettingsPatch)[] = ['apiBase', 'token', 'offline', 'allowedCardIds', 'locationId', 'merchantId'];
