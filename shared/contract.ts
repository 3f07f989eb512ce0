/**
 * The whole API between the UI (renderer) and the core: one typed handler map (after
 * Actual Budget's). Electron carries it over IPC through the preload bridge; browser mode over
 * HTTP/WebSocket. Requests are validated with these zod schemas on the core side of both
 * transports; answers are plain data. Money is integer fen; times are unix milliseconds.
 */
import { z } from 'zod';
import type { CodeKind } from './codes.ts';
import type { JournalProblem } from './i18n/journal.ts';
import type { Language } from './i18n/reasons.ts';
import type { ReasonCode } from './reasons.ts';
import type { Result } from './result.ts';
import { SettingsPatchSchema } from './settings-patch.ts';
import type { ScanSource } from './scan/events.ts';
import type { ScannerSettings } from './scan/settings.ts';

export const REDEMPTION_STATES = [
  'pending', // journaled, nothing that moves money sent yet
  'queued', // accepted offline, waiting to be forwarded
  'deducting', // updateuser may have been sent: outcome resolved by reading back
  'consuming', // balance deducted (or a voucher): code/consume may have been sent
  'voiding', // a manager's void may have been sent
  'settled', // final: money moved exactly once
  'declined', // final: nothing moved, with a reason
  'needs_review', // final until a manager acts: what is known is in `detail`
  'voided', // final: settled, then reversed by a manager
  'written_off', // final: a manager recorded the loss
  'collected_other', // final: a manager recorded payment another way (e.g. cash)
] as const;
export type RedemptionState = (typeof REDEMPTION_STATES)[number];

/** States a manager sees as the end of a redemption's story. */
export const FINAL_STATES: readonly RedemptionState[] = [
  'settled',
  'declined',
  'needs_review',
  'voided',
  'written_off',
  'collected_other',
];

export type ErrorView = Readonly<{ reason: ReasonCode; params?: Readonly<Record<string, string | number>> }>;

export type RedemptionView = Readonly<{
  id: string;
  terminalId: string;
  cashier: string;
  /** Masked for display ("•••• 3456"); the full code stays in the journal. */
  codeMasked: string;
  codeKind: CodeKind;
  realCodeMasked: string | null;
  cardId: string | null;
  cardTitle: string | null;
  subCardType: 'GIFT_CARD' | 'VOUCHER' | null;
  amountFen: number;
  /** A partial redemption's part left to collect another way (cash), fen; null when none. */
  shortfallFen: number | null;
  balanceBeforeFen: number | null;
  balanceAfterFen: number | null;
  state: RedemptionState;
  reason: ReasonCode | null;
  /** What is known, for needs_review and manager actions (free text, no secrets). */
  detail: string | null;
  offline: boolean;
  attempts: number;
  createdAt: number;
  updatedAt: number;
}>;

export type CardView = Readonly<{
  codeMasked: string;
  codeKind: CodeKind;
  realCodeMasked: string;
  cardId: string;
  title: string;
  subCardType: 'GIFT_CARD' | 'VOUCHER';
  balanceFen: number;
  userCardStatus: string;
  canConsume: boolean;
  /** Unix seconds; null when permanent. */
  beginTime: number | null;
  endTime: number | null;
  /** Why this card cannot be redeemed here, empty when it can. */
  problems: readonly ReasonCode[];
}>;

export type Role = 'cashier' | 'manager';
export type SessionView = Readonly<{ signedIn: boolean; name: string | null; role: Role | null }>;

/** One scanner in the status bar: the latest of its driver's status events (shared/scan/events.ts `ScannerStatus`) and errors, summed up. */
export type ScannerStatusView = Readonly<{ source: ScanSource; device: string; connected: boolean; message?: string }>;

export type StatusView = Readonly<{
  terminalId: string;
  sandbox: boolean;
  online: boolean;
  /** Unix ms of the last change between online and offline. */
  since: number;
  queueDepth: number;
  queuedFen: number;
  oldestQueuedAt: number | null;
  /** The manager's cap on everything queued offline (the exposure shown against it), fen. */
  offlineExposureLimitFen: number;
  needsReview: number;
  session: SessionView;
  scanners: readonly ScannerStatusView[];
  /** The saved scanner settings (nothing secret): the page's wedge and camera follow them. */
  scannerSettings: ScannerSettings;
  language: Language;
  /** A first start: the installer's setup screen comes before anything else (issue 11). */
  setupNeeded?: boolean;
  /** The receipt printer and its last known condition (issue 13); never blocks a redemption. */
  printer?: PrinterStatus;
  /** The store hub when this counter is enrolled (issue 12), beside WeChat's state; null when it works alone. */
  hub?: HubStatusView | null;
}>;

/** The store hub as this counter last reached it: 'refused' = revoked or not enrolled any more. */
export type HubStatusView = Readonly<{ state: 'online' | 'offline' | 'refused'; since: number; storeId: string }>;

/** What the status bar says about the receipt printer. */
export type PrinterStatus = Readonly<{
  /** tcp://…, serial:…, file:…, dialog or none. */
  target: string;
  kind: 'none' | 'dialog' | 'tcp' | 'serial' | 'file';
  /** null until the printer was first asked. */
  condition: 'ok' | 'paper_near_end' | 'paper_out' | 'cover_open' | 'printer_error' | 'offline' | 'garbage' | 'no_answer' | 'unreachable' | null;
  at: number | null;
  message?: string;
  autoPrint: boolean;
}>;

export type PrinterSettingsView = Readonly<{ url: string; paperWidth: 58 | 80; autoPrint: boolean; storeName: string }>;

export type PrintOutcome = Readonly<{ printed: boolean; condition: PrinterStatus['condition']; message?: string }>;

/** Counts and fen of a set of redemptions, as the shift and Z-reports add them up. */
export type TallyView = Readonly<{
  count: number;
  byState: Readonly<Partial<Record<RedemptionState, Readonly<{ count: number; amountFen: number }>>>>;
  settled: Readonly<{ count: number; amountFen: number }>;
  voided: Readonly<{ count: number; amountFen: number }>;
  offline: Readonly<{ count: number; amountFen: number }>;
  queued: Readonly<{ count: number; amountFen: number }>;
  shortfall: Readonly<{ count: number; amountFen: number }>;
  needsReview: number;
}>;

export type ShiftView = Readonly<{ id: number; cashier: string; openedAt: number; closedAt: number | null; closedBy: string | null; tally: TallyView }>;

export type ZReportView = Readonly<{
  zNumber: number;
  date: string;
  terminalId: string;
  takenAt: number;
  takenBy: string;
  total: TallyView;
  byCashier: ReadonlyArray<Readonly<{ cashier: string; tally: TallyView }>>;
  byShift: ReadonlyArray<Readonly<{ id: number; cashier: string; openedAt: number; closedAt: number | null; tally: TallyView }>>;
  journalHead: Readonly<{ seq: number; hash: string }> | null;
  /** Taken before: this is the stored report again. */
  reprint: boolean;
  /** The report as the receipt printer prints it (SVG), and as PDF (base64) for the files. */
  svg: string;
  pdfBase64: string;
  pdfFilename: string;
}>;

export type DaySummary = Readonly<{
  date: string;
  byState: Readonly<Partial<Record<RedemptionState, Readonly<{ count: number; amountFen: number }>>>>;
  /** Settled amount per hour of the day (24 entries), fen. */
  settledFenByHour: readonly number[];
  settledCountByHour: readonly number[];
}>;

/**
 * What `journal verify` found: every problem as a kind with parameters (texts in
 * shared/i18n/journal.ts), the first one also as an English sentence in `brokenAt`, and the
 * journal's own last event (its head).
 */
export type ChainVerification = Readonly<{
  ok: boolean;
  checked: number;
  brokenAt?: Readonly<{ seq: number; problem: string }>;
  problems?: readonly JournalProblem[];
  head?: Readonly<{ seq: number; hash: string }> | null;
}>;

export type SettingsView = Readonly<{
  sandbox: boolean;
  apiBase: string | null;
  tokenProvider: 'sandbox' | 'relay' | 'appsecret' | 'component' | 'static';
  /** Non-secret parts only; secrets are shown as set/not set, never echoed back. */
  tokenRelayUrl: string | null;
  appid: string | null;
  appsecretSet: boolean;
  terminalId: string;
  locationId: string | null;
  merchantId: string | null;
  allowedCardIds: readonly string[];
  language: Language;
  offline: Readonly<{
    maxPerRedemptionFen: number;
    maxPerCardFen: number;
    maxExposureFen: number;
    maxQueueAgeHours: number;
    unknownStaticCapFen: number;
    dynamicCapFen: number;
  }>;
  /** Saved scanner settings, with defaults filled in for what the file does not say. */
  scanners: ScannerSettings;
  /** Scanners this computer sees now, to pick from; empty lists when they cannot be listed. */
  devices: ScannerDevices;
  /** Minutes without use before the counter locks; 0 never. */
  idleLockMinutes: number;
}>;

/** A cashier or manager as the Settings screen lists them (never a PIN or its hash). */
export type PersonView = Readonly<{ name: string; role: Role; active: boolean }>;

/** A wrong PIN, as the manager sees it at end of day. */
export type PinFailureView = Readonly<{ at: number; terminalId: string; screen: string; purpose: 'sign_in' | 'manager' }>;

/** What a first-run connection test found. */
export type ConnectionTestView = Readonly<{ apiBase: string; tokenOk: boolean; cardTitle: string | null }>;

/** Serial ports and USB HID devices seen when the settings were read. */
export type ScannerDevices = Readonly<{
  serial: ReadonlyArray<Readonly<{ path: string; label?: string; vendorId?: string; productId?: string }>>;
  hid: ReadonlyArray<Readonly<{ vendorId: number; productId: number; product?: string; usagePage?: number }>>;
}>;

const pin = z.string().min(4).max(12).regex(/^\d+$/);
const dateDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const requestSchemas = {
  'session:get': z.object({}),
  'session:signIn': z.object({ pin }),
  'session:signOut': z.object({}),
  'status:get': z.object({}),
  'card:lookup': z.object({ code: z.string().max(10_000) }),
  'redemption:submit': z.object({
    code: z.string().max(10_000),
    /** As typed on the keypad ("35.50"); parsed to fen by the core so every path shares one parser. */
    amount: z.string().max(10_000),
    scannedAt: z.number().int().optional(),
    /**
     * A partial redemption (the card did not cover the sale): `amount` is what the card gives,
     * this is the rest, collected another way and journaled with the redemption.
     */
    shortfallFen: z.number().int().min(1).max(100_000_000).optional(),
  }),
  'redemption:void': z.object({ id: z.string().max(64), managerPin: pin }),
  'review:resolve': z.object({
    id: z.string().max(64),
    action: z.enum(['retry', 'settle_partial', 'write_off', 'collected_other']),
    managerPin: pin,
    note: z.string().max(500),
  }),
  'journal:list': z.object({
    date: dateDay.optional(),
    state: z.enum(REDEMPTION_STATES).optional(),
    cashier: z.string().max(64).optional(),
    search: z.string().max(64).optional(),
  }),
  'journal:summary': z.object({ date: dateDay }),
  'journal:verify': z.object({}),
  /** One day, or `date` to `to` included; the CSV's words in `language` (default: the UI's). */
  'journal:exportCsv': z.object({ date: dateDay, to: dateDay.optional(), language: z.enum(['zh-CN', 'en']).optional() }),
  'offline:replay': z.object({}),
  'settings:get': z.object({ managerPin: pin }),
  'settings:update': z.object({ managerPin: pin, patch: SettingsPatchSchema }),
  'people:list': z.object({ managerPin: pin }),
  'people:add': z.object({ managerPin: pin, name: z.string().max(10_000), role: z.enum(['cashier', 'manager']), pin: z.string().max(64) }),
  'people:update': z.object({
    managerPin: pin,
    name: z.string().max(10_000),
    rename: z.string().max(10_000).optional(),
    role: z.enum(['cashier', 'manager']).optional(),
    active: z.boolean().optional(),
  }),
  'people:resetPin': z.object({ managerPin: pin, name: z.string().max(10_000), pin: z.string().max(64) }),
  'session:changePin': z.object({ currentPin: pin, newPin: z.string().max(64) }),
  'auth:failures': z.object({ managerPin: pin, date: dateDay }),
  'setup:testConnection': z.object({
    patch: SettingsPatchSchema,
    /** A card id of this merchant to read back with card/get. */
    cardId: z.string().max(64).optional(),
  }),
  'setup:complete': z.object({
    patch: SettingsPatchSchema,
    /** New PINs for the fresh-install people, by name. */
    pins: z.array(z.object({ name: z.string().max(10_000), pin: z.string().max(64) })).max(20),
  }),
  'language:set': z.object({ language: z.enum(['zh-CN', 'en']) }),
  // Issue 13: receipts, the printer, shifts and the Z-report.
  'receipt:print': z.object({ id: z.string().max(64) }),
  'receipt:preview': z.object({ id: z.string().max(64) }),
  'printer:get': z.object({ managerPin: pin }),
  'printer:update': z.object({
    managerPin: pin,
    patch: z
      .object({ url: z.string().max(300), paperWidth: z.union([z.literal(58), z.literal(80)]), autoPrint: z.boolean(), storeName: z.string().max(40) })
      .partial()
      .strict(),
  }),
  'printer:test': z.object({ managerPin: pin }),
  'shift:current': z.object({}),
  'shift:close': z.object({ print: z.boolean().optional() }),
  'zreport:take': z.object({ date: dateDay, managerPin: pin, print: z.boolean().optional() }),
} as const;

export type ApiName = keyof typeof requestSchemas;
export type ApiRequest<N extends ApiName> = z.infer<(typeof requestSchemas)[N]>;

type R<T> = Result<T, ErrorView>;

/** What each call answers. Every call answers a Result: errors are values, never exceptions. */
export type ApiResponses = {
  'session:get': R<SessionView>;
  'session:signIn': R<SessionView>;
  'session:signOut': R<SessionView>;
  'status:get': R<StatusView>;
  'card:lookup': R<CardView>;
  'redemption:submit': R<RedemptionView>;
  'redemption:void': R<RedemptionView>;
  'review:resolve': R<RedemptionView>;
  'journal:list': R<readonly RedemptionView[]>;
  'journal:summary': R<DaySummary>;
  'journal:verify': R<ChainVerification>;
  'journal:exportCsv': R<Readonly<{ filename: string; csv: string }>>;
  'offline:replay': R<Readonly<{ settled: number; needsReview: number; remaining: number }>>;
  'settings:get': R<SettingsView>;
  'settings:update': R<SettingsView>;
  'people:list': R<readonly PersonView[]>;
  'people:add': R<readonly PersonView[]>;
  'people:update': R<readonly PersonView[]>;
  'people:resetPin': R<readonly PersonView[]>;
  'session:changePin': R<SessionView>;
  'auth:failures': R<readonly PinFailureView[]>;
  'setup:testConnection': R<ConnectionTestView>;
  'setup:complete': R<StatusView>;
  'language:set': R<Readonly<{ language: Language }>>;
  'receipt:print': R<PrintOutcome>;
  'receipt:preview': R<Readonly<{ svg: string }>>;
  'printer:get': R<Readonly<{ settings: PrinterSettingsView; status: PrinterStatus; sampleSvg: string }>>;
  'printer:update': R<Readonly<{ settings: PrinterSettingsView; status: PrinterStatus; sampleSvg: string }>>;
  'printer:test': R<PrintOutcome>;
  'shift:current': R<ShiftView | null>;
  'shift:close': R<Readonly<{ shift: ShiftView; svg: string; print: PrintOutcome | null }>>;
  'zreport:take': R<Readonly<{ report: ZReportView; print: PrintOutcome | null }>>;
};

/** The core implements this; both transports call it. */
export type CoreApi = { [N in ApiName]: (request: ApiRequest<N>) => Promise<ApiResponses[N]> };

/** Events the core pushes to the UI (WebSocket in browser mode, IPC in Electron). */
export type CoreEvent =
  | Readonly<{ type: 'status'; status: StatusView }>
  | Readonly<{ type: 'scan'; source: 'serial' | 'hid'; device: string; text: string; at: number }>
  | Readonly<{ type: 'redemption'; redemption: RedemptionView }>;

/** The renderer's view of the core: one `send` typed from the map, plus pushed events. */
export type CoreClient = Readonly<{
  send<N extends ApiName>(name: N, request: ApiRequest<N>): Promise<ApiResponses[N]>;
  onEvent(listener: (event: CoreEvent) => void): () => void;
}>;
