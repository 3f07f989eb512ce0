/**
 * What every screen needs: the core client, the latest status, a `call` that turns "the core
 * cannot be reached" into a banner instead of an exception, and the sound player.
 */
import { createContext, useContext } from 'react';
import type { ApiName, ApiRequest, ApiResponses, StatusView } from '../../shared/contract.ts';
import type { SoundPlayer } from '../sound.ts';
import type { UiClient } from '../transport/client.ts';

export type Call = <N extends ApiName>(name: N, request: ApiRequest<N>) => Promise<ApiResponses[N] | null>;

export type AppContextValue = Readonly<{
  client: UiClient;
  /** Resolves to null when the core could not be reached (the banner says so). */
  call: Call;
  status: StatusView;
  refreshStatus(): Promise<void>;
  sound: SoundPlayer;
  /** Asks for a manager PIN; see ManagerPinDialog. */
  askManager: AskManager;
  /**
   * A screen with unsaved edits registers a guard: leaving it (tabs, F-keys, sign-out) asks the
   * guard first, which answers whether to go (it may ask the user). null removes it.
   */
  setLeaveGuard?: (guard: (() => boolean) | null) => void;
}>;

/**
 * Opens the manager PIN dialog; `attempt` runs with the PIN typed. When it answers a PIN problem
 * (wrong PIN, not a manager) the dialog stays open with that message; otherwise it closes.
 * Resolves when the dialog closes: true if an attempt went through, false if cancelled.
 */
export type AskManager = (
  title: string,
  attempt: (managerPin: string) => Promise<'pin_problem_wrong' | 'pin_problem_not_manager' | 'done'>,
) => Promise<boolean>;

export const AppContext = createContext<AppContextValue | null>(null);

export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('useApp outside AppContext');
  return value;
}
