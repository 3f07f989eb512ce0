/**
 * The core as the UI sees it: the typed contract of shared/contract.ts implemented over a
 * terminal (journal, engine, offline replay), plus pushed events. Both transports (Electron IPC,
 * browser mode over HTTP/WebSocket) call this one object. Requests are validated here too, so a
 * transport that forgets cannot let a malformed request through.
 */
import { pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { maskCode } from '../shared/codes.ts';
import {
  requestSchemas,
  type ApiName,
  type ApiRequest,
  type ApiResponses,
  type CardView,
  type CoreApi,
  type CoreEvent,
  type DaySummary,
  type ErrorView,
  type RedemptionView,
  type Role,
  type ScannerDevices,
  type SessionView,
  type SettingsView,
  type StatusView,
} from '../shared/contract.ts';
import type { Language } from '../shared/i18n/reasons.ts';
import type { ReasonCode } from '../shared/reasons.ts';
import { err, ok, type Result } from '../shared/result.ts';
import { withScannerDefaults, type ScannerSettingsPatch } from '../shared/scan.ts';
import { readSettingsFile, sealSecrets, SettingsSchema, writeSettingsFile, type Settings } from './config.ts';
import { verifyChain } from './journal/events.ts';
import { toCsv } from './journal/export.ts';
import { dayRange, listRedemptions, type RedemptionRow } from './journal/redemptions.ts';
import { createLogger } from './log.ts';
import { queueStatus, Replayer } from './redemption/offline.ts';
import { hex4 } from './scanners/hid-reports.ts';
import { listHidDevices } from './scanners/hid.ts';
import { listSerialPorts } from './scanners/serial.ts';
import { openTerminal, type OpenTerminalOptions, type Terminal } from './terminal.ts';

const log = createLogger('core');

export type Core = CoreApi &
  Readonly<{
    onEvent(listener: (event: CoreEvent) => void): () => void;
    /** Sets what the hardware scanners report, for the status bar (serial/HID owned by the shell). */
    setScanners(scanners: StatusView['scanners']): void;
    /** Items still queued: the shell warns before quitting when this is not 0. */
    queuedCount(): number;
    readonly terminal: Terminal;
    close(): Promise<void>;
  }>;

export type OpenCoreOptions = Readonly<{
  dataDir: string;
  env?: Readonly<Record<string, string | undefined>>;
  /** For tests: how often the background replay looks at the queue. */
  replayIntervalMs?: number;
}> &
  Pick<OpenTerminalOptions, 'engine' | 'secretBox'>;

/** Fresh-install people, documented in README.md; a manager changes them in Settings. */
export const DEFAULT_PEOPLE: ReadonlyArray<Readonly<{ name: string; role: Role; pin: string }>> = [
  { name: '收银员1', role: 'cashier', pin: '1234' },
  { name: '店长', role: 'manager', pin: '9999' },
];

export function hashPin(pin: string, salt: string = randomBytes(16).toString('hex')): string {
  return `pbkdf2$${salt}$${pbkdf2Sync(pin, salt, 100_000, 32, 'sha256').toString('hex')}`;
}

function pinMatches(pin: string, stored: string): boolean {
  const [scheme, salt, hash] = stored.split('$');
  if (scheme !== 'pbkdf2' || !salt || !hash) return false;
  const candidate = Buffer.from(hashPin(pin, salt).split('$')[2] ?? '', 'hex');
  const expected = Buffer.from(hash, 'hex');
  return candidate.length === expected.length && timingSafeEqual(candidate, expected);
}

const failure = (reason: ReasonCode, params?: Readonly<Record<string, string | number>>): Result<never, ErrorView> => err({ reason, ...(params ? { params } : {}) });

export function toRedemptionView(row: RedemptionRow): RedemptionView {
  return {
    id: row.id,
    terminalId: row.terminal_id,
    cashier: row.cashier,
    codeMasked: maskCode(row.scanned_code),
    codeKind: row.code_kind,
    realCodeMasked: row.real_code ? maskCode(row.real_code) : null,
    cardId: row.card_id,
    cardTitle: row.card_title,
    subCardType: row.sub_card_type,
    amountFen: row.amount_fen,
    balanceBeforeFen: row.balance_before_fen,
    balanceAfterFen: row.balance_after_fen,
    state: row.state,
    reason: row.reason,
    detail: row.detail,
    offline: row.offline === 1,
    attempts: row.attempts,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function daySummary(rows: readonly RedemptionRow[], date: string): DaySummary {
  const byState: Record<string, { count: number; amountFen: number }> = {};
  const settledFenByHour = Array.from({ length: 24 }, () => 0);
  const settledCountByHour = Array.from({ length: 24 }, () => 0);
  for (const row of rows) {
    const entry = (byState[row.state] ??= { count: 0, amountFen: 0 });
    entry.count++;
    entry.amountFen += row.amount_fen;
    if (row.state === 'settled') {
      const hour = new Date(row.created_at).getHours();
      settledFenByHour[hour] = (settledFenByHour[hour] ?? 0) + row.amount_fen;
      settledCountByHour[hour] = (settledCountByHour[hour] ?? 0) + 1;
    }
  }
  return { date, byState, settledFenByHour, settledCountByHour };
}

/** Never throws and never hangs the settings screen: a listing that fails or stalls is empty. */
async function listOrEmpty<T>(list: () => Promise<readonly T[]>, what: string): Promise<readonly T[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<readonly T[]>((resolve) => {
    timer = setTimeout(() => resolve([]), 3_000);
  });
  try {
    return await Promise.race([list(), timeout]);
  } catch (error) {
    log.warn('cannot list scanner devices', { what, error: error instanceof Error ? error.message : String(error) });
    return [];
  } finally {
    clearTimeout(timer);
  }
}

/** Serial ports and USB HID devices this computer sees, for the settings screen. */
export async function listScannerDevices(): Promise<ScannerDevices> {
  const [serial, hid] = await Promise.all([
    listOrEmpty(async () => {
      const ports = await listSerialPorts();
      return ports.map((port) => {
        const name = [port.manufacturer, port.product].filter(Boolean).join(' ');
        // The by-id link survives replugging, so it is the one to offer.
        const label = [name, port.byId ? port.path : ''].filter(Boolean).join(' · ');
        return {
          path: port.byId ?? port.path,
          ...(label ? { label } : {}),
          ...(port.vendorId ? { vendorId: port.vendorId } : {}),
          ...(port.productId ? { productId: port.productId } : {}),
        };
      });
    }, 'serial'),
    listOrEmpty(async () => {
      const listed = await listHidDevices();
      if (!listed.ok) return [];
      const seen = new Set<string>();
      const out: Array<{ vendorId: number; productId: number; product?: string; usagePage?: number }> = [];
      for (const d of listed.devices) {
        // One entry per VID:PID: the best interface comes first (HID POS, then keyboard).
        const key = `${hex4(d.vendorId)}:${hex4(d.productId)}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({
          vendorId: d.vendorId,
          productId: d.productId,
          ...(d.product ? { product: [d.manufacturer, d.product].filter(Boolean).join(' ') } : {}),
          ...(d.usagePage !== undefined ? { usagePage: d.usagePage } : {}),
        });
      }
      return out;
    }, 'hid'),
  ]);
  return { serial, hid };
}

function settingsView(settings: Settings, sandbox: boolean, devices: ScannerDevices): SettingsView {
  const token = settings.token;
  return {
    sandbox,
    apiBase: settings.apiBase,
    tokenProvider: token.provider,
    tokenRelayUrl: token.provider === 'relay' ? token.url : null,
    appid: token.provider === 'appsecret' ? token.appid : token.provider === 'component' ? token.authorizerAppid : null,
    appsecretSet: token.provider === 'appsecret' || token.provider === 'component' || token.provider === 'static',
    terminalId: settings.terminalId,
    locationId: settings.locationId,
    merchantId: settings.merchantId,
    allowedCardIds: settings.allowedCardIds,
    language: settings.language,
    offline: settings.offline,
    scanners: withScannerDefaults(settings.scanners as ScannerSettingsPatch),
    devices,
  };
}

/** Settings a manager may change from the UI; secrets are write-only. */
const SettingsPatchSchema = SettingsSchema.pick({
  apiBase: true,
  token: true,
  terminalId: true,
  locationId: true,
  merchantId: true,
  allowedCardIds: true,
  language: true,
  offline: true,
  scanners: true,
}).partial();

export async function openCore(options: OpenCoreOptions): Promise<Core> {
  const env = options.env ?? process.env;
  const terminal = await openTerminal({ dataDir: options.dataDir, env, engine: options.engine, secretBox: options.secretBox });
  const saveSettings = (file: Readonly<Record<string, unknown>>) =>
    writeSettingsFile(terminal.config.dataDir, options.secretBox ? sealSecrets(file, options.secretBox) : file);
  const listeners = new Set<(event: CoreEvent) => void>();
  let session: { name: string; role: Role } | null = null;
  let language: Language = terminal.config.settings.language;
  let scanners: StatusView['scanners'] = [];
  let closed = false;

  const people = () =>
    terminal.config.settings.people.length > 0
      ? terminal.config.settings.people
      : DEFAULT_PEOPLE.map((p) => ({ name: p.name, role: p.role, pinHash: defaultHashes.get(p.pin) ?? '' }));
  const defaultHashes = new Map(DEFAULT_PEOPLE.map((p) => [p.pin, hashPin(p.pin)]));

  const emit = (event: CoreEvent) => {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        log.error('event listener failed', { message: (error as Error).message });
      }
    }
  };

  const sessionView = (): SessionView => ({ signedIn: session !== null, name: session?.name ?? null, role: session?.role ?? null });

  const status = (): StatusView => {
    const queue = queueStatus(terminal.db);
    const connectivity = terminal.connectivity.status;
    const needsReview = (terminal.db.prepare("SELECT count(*) AS n FROM redemptions WHERE state = 'needs_review'").get() as { n: number }).n;
    return {
      terminalId: terminal.config.settings.terminalId,
      sandbox: terminal.config.sandbox,
      online: connectivity.online,
      since: connectivity.since,
      queueDepth: queue.depth,
      queuedFen: queue.queuedFen,
      oldestQueuedAt: queue.oldestQueuedAt,
      needsReview,
      session: sessionView(),
      scanners,
      scannerSettings: withScannerDefaults(terminal.config.settings.scanners as ScannerSettingsPatch),
      language,
    };
  };
  const pushStatus = () => {
    if (!closed) emit({ type: 'status', status: status() });
  };

  terminal.engine.onChange((row) => emit({ type: 'redemption', redemption: toRedemptionView(row) }));
  terminal.connectivity.onChange(pushStatus);

  const replayer = new Replayer(terminal.engine, terminal.connectivity, {
    intervalMs: options.replayIntervalMs ?? 15_000,
    onReport: pushStatus,
    // Any answer from WeChat, even "invalid code", means it is reachable again.
    probe: async () => {
      await terminal.client.getCode({ code: '000000000000' });
    },
  });

  const managerBy = (pin: string) => people().find((p) => p.role === 'manager' && pinMatches(pin, p.pinHash));

  const handlers: CoreApi = {
    'session:get': async () => ok(sessionView()),
    'session:signIn': async ({ pin }) => {
      const person = people().find((p) => pinMatches(pin, p.pinHash));
      if (!person) return failure('pin_wrong');
      session = { name: person.name, role: person.role };
      pushStatus();
      return ok(sessionView());
    },
    'session:signOut': async () => {
      session = null;
      pushStatus();
      return ok(sessionView());
    },
    'status:get': async () => ok(status()),
    'card:lookup': async ({ code }) => {
      if (!session) return failure('signed_out');
      const result = await terminal.engine.lookup(code);
      if (!result.ok) return err(result.error);
      const card = result.value;
      const end = card.answer.card.end_time;
      const view: CardView = {
        codeMasked: maskCode(card.scannedCode),
        codeKind: card.codeKind,
        realCodeMasked: maskCode(card.answer.card.code),
        cardId: card.answer.card.card_id,
        title: card.definition.title,
        subCardType: card.subCardType ?? 'GIFT_CARD',
        balanceFen: card.answer.card.balance ?? 0,
        userCardStatus: card.answer.user_card_status,
        canConsume: card.answer.can_consume,
        beginTime: card.answer.card.begin_time || null,
        endTime: end === 0 || end >= 2_147_483_647 ? null : end,
        problems: card.problems,
      };
      return ok(view);
    },
    'redemption:submit': async ({ code, amount, scannedAt }) => {
      if (!session) return failure('signed_out');
      const result = await terminal.engine.redeem({ code, amount, cashier: session.name, scannedAt });
      pushStatus();
      if (!result.ok) return err(result.error);
      return ok(toRedemptionView(result.value));
    },
    'redemption:void': async ({ id, managerPin }) => {
      const manager = managerBy(managerPin);
      if (!manager) return failure('manager_required');
      const result = await terminal.engine.void(id, manager.name);
      if (!result.ok) return err(result.error);
      return ok(toRedemptionView(result.value));
    },
    'review:resolve': async ({ id, action, managerPin, note }) => {
      const manager = managerBy(managerPin);
      if (!manager) return failure('manager_required');
      const result = await terminal.engine.resolveReview(id, action, manager.name, note);
      pushStatus();
      if (!result.ok) return err(result.error);
      return ok(toRedemptionView(result.value));
    },
    'journal:list': async ({ date, state, cashier, search }) => {
      const range = date ? dayRange(date) : {};
      return ok(listRedemptions(terminal.db, { ...range, state, cashier, search }).map(toRedemptionView));
    },
    'journal:summary': async ({ date }) => ok(daySummary(listRedemptions(terminal.db, dayRange(date)), date)),
    'journal:verify': async () => ok(verifyChain(terminal.db)),
    'journal:exportCsv': async ({ date }) =>
      ok({ filename: `gcterm-${terminal.config.settings.terminalId}-${date}.csv`, csv: toCsv(listRedemptions(terminal.db, dayRange(date))) }),
    'offline:replay': async () => {
      const report = await replayer.runNow();
      pushStatus();
      return ok({ settled: report.settled, needsReview: report.needsReview, remaining: report.remaining });
    },
    'settings:get': async ({ managerPin }) => {
      if (!managerBy(managerPin)) return failure('manager_required');
      return ok(settingsView(terminal.config.settings, terminal.config.sandbox, await listScannerDevices()));
    },
    'settings:update': async ({ managerPin, patch }) => {
      if (!managerBy(managerPin)) return failure('manager_required');
      const parsed = SettingsPatchSchema.safeParse(patch);
      if (!parsed.success) return failure('invalid_request', { field: parsed.error.issues[0]?.path.join('.') ?? '' });
      const file = { ...readSettingsFile(terminal.config.dataDir), ...parsed.data };
      const validated = SettingsSchema.safeParse(file);
      if (!validated.success) return failure('invalid_request', { field: validated.error.issues[0]?.path.join('.') ?? '' });
      saveSettings(file);
      // Limits and language apply at once; connection settings on the next start.
      Object.assign(terminal.config.settings, { offline: validated.data.offline, language: validated.data.language, scanners: validated.data.scanners });
      language = validated.data.language;
      pushStatus();
      return ok(settingsView(validated.data, terminal.config.sandbox, await listScannerDevices()));
    },
    'language:set': async ({ language: next }) => {
      language = next;
      // Remembered for the next start, like every other setting of this terminal.
      saveSettings({ ...readSettingsFile(terminal.config.dataDir), language: next });
      Object.assign(terminal.config.settings, { language: next });
      pushStatus();
      return ok({ language });
    },
  };

  // Every call is validated at the core, whatever transport brought it.
  const validated = Object.fromEntries(
    (Object.keys(handlers) as ApiName[]).map((name) => [
      name,
      async (request: unknown) => {
        const parsed = requestSchemas[name].safeParse(request ?? {});
        if (!parsed.success) return failure('invalid_request', { field: parsed.error.issues[0]?.path.join('.') ?? '' });
        try {
          return await (handlers[name] as (r: ApiRequest<typeof name>) => Promise<ApiResponses[typeof name]>)(parsed.data as ApiRequest<typeof name>);
        } catch (error) {
          log.error(`${name} failed`, { message: (error as Error).message });
          return failure('internal_error');
        }
      },
    ]),
  ) as CoreApi;

  // Every start resumes what an interruption left unfinished, then the queue is forwarded.
  const recovered = await terminal.engine.recover().catch((error: unknown) => {
    log.error('recovery failed', { message: (error as Error).message });
    return [];
  });
  if (recovered.length > 0) log.warn(`recovered ${recovered.length} unfinished redemption(s)`);
  replayer.start();

  return {
    ...validated,
    terminal,
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    setScanners(next) {
      scanners = next;
      pushStatus();
    },
    queuedCount: () => queueStatus(terminal.db).depth,
    async close() {
      closed = true;
      await replayer.stop();
      listeners.clear();
      await terminal.close();
    },
  };
}

