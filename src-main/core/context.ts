/**
 * What every handler module of the core shares: the terminal, the pushed events, the signed-in
 * session and the settings. Handler modules (auth.ts, settings.ts, redemptions.ts, journal.ts, …)
 * each take this context and return their slice of the contract's handler map; core.ts joins them.
 * To add calls: add them to shared/contract.ts, write `xxxHandlers(ctx)` in a new module here,
 * and add one spread line in core.ts.
 */
import type { CoreEvent, ErrorView, Role, StatusView } from '../../shared/contract.ts';
import type { Language } from '../../shared/i18n/reasons.ts';
import type { ReasonCode } from '../../shared/reasons.ts';
import { err, type Result } from '../../shared/result.ts';
import type { SecretBox, SettingsStore } from '../config.ts';
import type { Replayer } from '../redemption/offline.ts';
import type { Terminal } from '../terminal.ts';
import type { Auth } from './auth.ts';

export type SessionState = { name: string; role: Role; at: number } | null;

export type CoreContext = Readonly<{
  terminal: Terminal;
  secretBox: SecretBox | undefined;
  emit(event: CoreEvent): void;
  /** Pushes the status bar's view to every follower (no-op once closed). */
  pushStatus(): void;
  replayer: Replayer;
  auth: Auth;
  /** The saved settings: read them here, change them with `settings.apply`, follow `settings.onChange`. */
  settings: SettingsStore;
  now(): number;
  /** Mutable state of this core: who is signed in, the UI language, what the scanners report. */
  state: {
    session: SessionState;
    language: Language;
    scanners: StatusView['scanners'];
    /** A first start: the setup screen runs before anything else. */
    setupNeeded: boolean;
    /** When the counter was last used (any call but status reads): the idle lock counts from it. */
    lastUse: number;
  };
}>;

export const failure = (reason: ReasonCode, params?: Readonly<Record<string, string | number>>): Result<never, ErrorView> =>
  err({ reason, ...(params ? { params } : {}) });

/** The first zod issue's path, for `invalid_request`'s field parameter. */
export const firstField = (error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey> }> }): string =>
  error.issues[0]?.path.map(String).join('.') ?? '';
