/**
 * The core as the UI sees it: the typed contract of shared/contract.ts implemented over a
 * terminal (journal, engine, offline replay), plus pushed events. Both transports (Electron IPC,
 * browser mode over HTTP/WebSocket) call this one object. Requests are validated here too, so a
 * transport that forgets cannot let a malformed request through.
 *
 * This file is the thin handler map: each slice of the contract lives in its own module under
 * core/ (auth, settings, redemptions, journal, …) and is joined below with one spread line.
 */
import {
  requestSchemas,
  type ApiName,
  type ApiRequest,
  type ApiResponses,
  type CoreApi,
  type CoreEvent,
  type StatusView,
} from '../shared/contract.ts';
import { ok } from '../shared/result.ts';
import { authHandlers, createAuth, ensurePeople } from './core/auth.ts';
import { failure, firstField, type CoreContext } from './core/context.ts';
import { journalHandlers } from './core/journal.ts';
import { peopleHandlers } from './core/people.ts';
import { redemptionHandlers } from './core/redemptions.ts';
import { settingsHandlers } from './core/settings.ts';
import { setupHandlers } from './core/setup.ts';
import { statusView } from './core/status.ts';
import { toRedemptionView } from './core/views.ts';
import { createLogger } from './log.ts';
import { queueStatus } from './journal/queue.ts';
import { Replayer } from './redemption/offline.ts';
import { openTerminal, type OpenTerminalOptions, type Terminal } from './terminal.ts';

import { createCorePaper, openShiftAtSignIn } from './core/paper.ts';
import type { DialogPrinter } from './printing/service.ts';
export { DEFAULT_PEOPLE, hashPin } from './core/auth.ts';
export { listScannerDevices } from './core/settings.ts';
export { daySummary, toRedemptionView } from './core/views.ts';

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
  /** For tests: the clock of the PIN lockout and the idle lock. */
  now?: () => number;
  /** The desktop shell's OS print dialog (Electron), for the `dialog` printer. */
  printDialog?: DialogPrinter;
}> &
  Pick<OpenTerminalOptions, 'engine' | 'secretBox' | 'label'>;

export async function openCore(options: OpenCoreOptions): Promise<Core> {
  const env = options.env ?? process.env;
  const terminal = await openTerminal({ dataDir: options.dataDir, env, engine: options.engine, secretBox: options.secretBox, label: options.label ?? 'counter app' });
  const listeners = new Set<(event: CoreEvent) => void>();
  let closed = false;

  const emit = (event: CoreEvent) => {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        log.error('event listener failed', { message: (error as Error).message });
      }
    }
  };
  const pushStatus = () => {
    if (!closed) emit({ type: 'status', status: statusView(ctx) });
  };

  const replayer = new Replayer(terminal.engine, terminal.connectivity, {
    intervalMs: options.replayIntervalMs ?? 15_000,
    onReport: pushStatus,
    // Any answer from WeChat, even "invalid code", means it is reachable again.
    probe: async () => {
      await terminal.client.getCode({ code: '000000000000' });
    },
  });

  const now = options.now ?? Date.now;
  const settings = terminal.config.store;
  await ensurePeople(terminal.db, settings.current.people);
  const auth = createAuth({ db: terminal.db, terminalId: settings.current.terminalId, now });
  const ctx: CoreContext = {
    terminal,
    secretBox: options.secretBox,
    emit,
    pushStatus,
    replayer,
    auth,
    settings,
    now,
    state: {
      session: null,
      language: settings.current.language,
      scanners: [],
      // A first start (no settings file yet, nothing from the environment) opens the setup screen.
      setupNeeded: !settings.saved && !env.GCTERM_API_BASE && env.GCTERM_SKIP_SETUP !== '1',
      lastUse: now(),
    },
  };

  // Followers of the settings: the UI language and the status bar (which carries the scanner
  // settings the page and the hardware hub follow); the offline limits are read per use.
  const unfollow = settings.onChange(({ settings: next, changed }) => {
    if (changed.includes('language')) ctx.state.language = next.language;
    pushStatus();
  });

  // Receipts, the printer, shifts and the Z-report (issue 13); the printer never blocks a redemption.
  const paper = createCorePaper(ctx, { ...(options.printDialog ? { dialog: options.printDialog } : {}) });

  const handlers = {
    ...openShiftAtSignIn(ctx, authHandlers(ctx)),
    'status:get': async () => ok(statusView(ctx)),
    ...redemptionHandlers(ctx),
    ...journalHandlers(ctx),
    ...settingsHandlers(ctx),
    ...peopleHandlers(ctx),
    ...setupHandlers(ctx),
    ...paper.handlers,
  } satisfies CoreApi;

  // The idle lock: a session unused for the configured minutes is signed out.
  const PASSIVE: ReadonlySet<ApiName> = new Set<ApiName>(['status:get', 'session:get', 'language:set']);
  const idleCheck = () => {
    const minutes = settings.current.idleLockMinutes;
    if (ctx.state.session && minutes > 0 && now() - ctx.state.lastUse >= minutes * 60_000) {
      log.info('idle lock', { name: ctx.state.session.name });
      ctx.state.session = null;
      pushStatus();
    }
  };
  const idleTimer = setInterval(idleCheck, 15_000);
  idleTimer.unref();

  terminal.engine.onChange((row) => emit({ type: 'redemption', redemption: toRedemptionView(row) }));
  terminal.connectivity.onChange(pushStatus);
  terminal.hub?.client.link.onChange(pushStatus);

  // Every call is validated at the core, whatever transport brought it.
  const validated = Object.fromEntries(
    (Object.keys(handlers) as ApiName[]).map((name) => [
      name,
      async (request: unknown) => {
        if (!PASSIVE.has(name)) {
          idleCheck();
          ctx.state.lastUse = now();
        }
        const parsed = requestSchemas[name].safeParse(request ?? {});
        if (!parsed.success) return failure('invalid_request', { field: firstField(parsed.error) });
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
  // Rows another live process is working on (a CLI redemption beside the app) are left to it.
  const onSkip = (row: Readonly<{ id: string; state: string; holder: string }>) => log.info(`left to its owner: ${row.id} (${row.state}) held by ${row.holder}`);
  const recovered = await terminal.engine.recover({ onSkip }).catch((error: unknown) => {
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
      ctx.state.scanners = next;
      pushStatus();
    },
    queuedCount: () => queueStatus(terminal.db).depth,
    async close() {
      closed = true;
      clearInterval(idleTimer);
      unfollow();
      await paper.stop();
      await replayer.stop();
      listeners.clear();
      await terminal.close();
    },
  };
}
