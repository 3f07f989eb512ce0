/**
 * The shell: loads the status, keeps it fresh from pushed events, follows the core's language,
 * and shows Sign-in or the three screens (Redeem, End of day, Settings) above the status bar.
 * F1/F2/F3 switch screens from anywhere; every control is also reachable with Tab.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiName, ApiRequest, ApiResponses, StatusView } from '../../shared/contract.ts';
import type { Language } from '../../shared/i18n/reasons.ts';
import { changeLanguage } from '../i18n/index.ts';
import { EndOfDay } from '../screens/endofday/EndOfDay.tsx';
import { Redeem } from '../screens/redeem/Redeem.tsx';
import { Settings } from '../screens/settings/Settings.tsx';
import { Setup } from '../screens/setup/Setup.tsx';
import { SignIn } from '../screens/signin/SignIn.tsx';
import { createSoundPlayer } from '../sound.ts';
import { TransportError } from '../transport/bridge.ts';
import type { UiClient } from '../transport/client.ts';
import { AppContext, type AppContextValue, type AskManager, type Call } from './context.tsx';
import { ChangePinDialog } from './ChangePinDialog.tsx';
import { ManagerPinDialog, type PinRequest } from './ManagerPinDialog.tsx';
import { StatusBar, type LocalScanner } from './StatusBar.tsx';

/**
 * A header button clicked with the mouse or a finger gives focus back, so the next Enter on the
 * till confirms the amount rather than pressing that button again. Keyboard activation (detail 0)
 * keeps focus where the keyboard user put it.
 */
function releaseFocus(event: MouseEvent<HTMLButtonElement>): void {
  if (event.detail > 0) event.currentTarget.blur();
}

export type Screen = 'redeem' | 'endofday' | 'settings';
const SCREENS: readonly Screen[] = ['redeem', 'endofday', 'settings'];
const SHORTCUTS: Readonly<Record<string, Screen>> = { F1: 'redeem', F2: 'endofday', F3: 'settings' };

export function App({ client }: Readonly<{ client: UiClient }>) {
  const { t, i18n } = useTranslation();
  const [status, setStatus] = useState<StatusView | null>(null);
  const [coreReachable, setCoreReachable] = useState(true);
  const [keyRefused, setKeyRefused] = useState(false);
  const [screen, setScreen] = useState<Screen>('redeem');
  const [pinRequest, setPinRequest] = useState<PinRequest | null>(null);
  const [cameraLive, setCameraLive] = useState(false);
  const [myPin, setMyPin] = useState(false);
  const sound = useMemo(() => createSoundPlayer(window.localStorage), []);
  const [muted, setMuted] = useState(() => sound.muted());

  const call: Call = useCallback(
    async <N extends ApiName>(name: N, request: ApiRequest<N>): Promise<ApiResponses[N] | null> => {
      try {
        const result = await client.send(name, request);
        setCoreReachable(true);
        return result;
      } catch (error) {
        if (!(error instanceof TransportError)) console.error(error);
        setCoreReachable(false);
        setKeyRefused(error instanceof TransportError && error.kind === 'forbidden');
        return null;
      }
    },
    [client],
  );

  // Answers to status:get can overtake each other and pushed events: only the latest request's
  // answer is used, and only if no event arrived meanwhile (the event is at least as fresh).
  const statusRequest = useRef(0);
  const statusEvents = useRef(0);
  const refreshStatus = useCallback(async (): Promise<void> => {
    const request = ++statusRequest.current;
    const eventsBefore = statusEvents.current;
    const result = await call('status:get', {});
    if (result?.ok && request === statusRequest.current && eventsBefore === statusEvents.current) setStatus(result.value);
  }, [call]);

  // A reload or a new window starts signed out: the PIN is asked for again (issue 11).
  const signedOutOnce = useRef(false);
  useEffect(() => {
    if (signedOutOnce.current) return;
    signedOutOnce.current = true;
    void call('session:signOut', {}).then(() => refreshStatus());
  }, [call, refreshStatus]);

  // A screen with unsaved edits (Settings) is asked before it is left.
  const leaveGuard = useRef<(() => boolean) | null>(null);
  const setLeaveGuard = useCallback((guard: (() => boolean) | null) => {
    leaveGuard.current = guard;
  }, []);
  const mayLeave = useCallback((): boolean => leaveGuard.current?.() ?? true, []);
  const screenRef = useRef<Screen>('redeem');
  screenRef.current = screen;
  const navigate = useCallback(
    (next: Screen): void => {
      if (next !== screenRef.current && mayLeave()) setScreen(next);
    },
    [mayLeave],
  );

  useEffect(() => {
    void refreshStatus();
    const offEvents = client.onEvent((event) => {
      if (event.type === 'status') {
        statusEvents.current++;
        setStatus(event.status);
      }
    });
    // After a reconnect the pushed events missed in between are gone: ask again.
    const offConnection = client.onConnectionChange((connected) => {
      setCoreReachable(connected);
      if (connected) void refreshStatus();
    });
    // A slow poll as a safety net; events carry the real-time changes.
    const poll = setInterval(() => void refreshStatus(), 30_000);
    return () => {
      offEvents();
      offConnection();
      clearInterval(poll);
    };
  }, [client, refreshStatus]);

  const language = status?.language;
  useEffect(() => {
    if (language && language !== i18n.language) void changeLanguage(language);
  }, [language, i18n]);

  // Signing out (or the core forgetting the session) always lands on the redeem screen next time.
  const signedIn = status?.session.signedIn ?? false;
  useEffect(() => {
    if (!signedIn) setScreen('redeem');
  }, [signedIn]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      const target = SHORTCUTS[event.key];
      if (!target || !signedIn || pinRequest) return;
      event.preventDefault();
      navigate(target);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [signedIn, pinRequest, navigate]);

  const askManager: AskManager = useCallback(
    (title, attempt) =>
      new Promise<boolean>((resolve) => {
        setPinRequest({
          title,
          attempt,
          close: (went) => {
            setPinRequest(null);
            resolve(went);
          },
        });
      }),
    [],
  );

  const switchLanguage = (next: Language): void => {
    void (async () => {
      const result = await call('language:set', { language: next });
      // The UI follows at once even if the core refused to persist it (it says why on refresh).
      await changeLanguage(result?.ok ? result.value.language : next);
      await refreshStatus();
    })();
  };

  const signOut = (): void => {
    if (!mayLeave()) return;
    void (async () => {
      await call('session:signOut', {});
      await refreshStatus();
    })();
  };

  if (!status) {
    return (
      <div className="app loading" aria-busy>
        <p>{coreReachable ? t('app.loading') : t('status.coreUnreachable')}</p>
      </div>
    );
  }

  const value: AppContextValue = { client, call, status, refreshStatus, sound, askManager, setLeaveGuard };
  const localScanners: readonly LocalScanner[] = [
    // End of day takes scans too (a scanned card finds its redemptions).
    { source: 'keyboard', live: signedIn },
    { source: 'camera', live: cameraLive },
  ];
  const currentLanguage = i18n.language as Language;

  return (
    <AppContext.Provider value={value}>
      <div className={`app ${status.sandbox ? 'is-sandbox' : 'is-live'}`}>
        <header className="topbar">
          <span className="brand">{t('app.title')}</span>
          {signedIn && (
            <nav className="tabs" aria-label={t('app.screens')}>
              {SCREENS.map((s, i) => (
                <button
                  key={s}
                  type="button"
                  className={`tab ${screen === s ? 'active' : ''}`}
                  aria-current={screen === s ? 'page' : undefined}
                  data-testid={`tab-${s}`}
                  onClick={(e) => {
                    navigate(s);
                    releaseFocus(e);
                  }}
                >
                  {t(`screen.${s}`)} <kbd>F{i + 1}</kbd>
                </button>
              ))}
            </nav>
          )}
          <span className="topbar-spacer" />
          <button
            type="button"
            className="button ghost"
            data-testid="language-switch"
            title={t('app.switchLanguage')}
            onClick={(e) => {
              switchLanguage(currentLanguage === 'en' ? 'zh-CN' : 'en');
              releaseFocus(e);
            }}
          >
            {/* The visible name is the accessible name (WCAG 2.5.3); the title says what it does. */}
            <span lang={currentLanguage === 'en' ? 'zh-CN' : 'en'}>{currentLanguage === 'en' ? '中文' : 'English'}</span>
          </button>
          <button
            type="button"
            className="button ghost"
            aria-pressed={muted}
            onClick={(e) => {
              sound.setMuted(!muted);
              setMuted(!muted);
              releaseFocus(e);
            }}
          >
            {muted ? t('app.soundOff') : t('app.soundOn')}
          </button>
          {signedIn && (
            <button type="button" className="button ghost" data-testid="my-pin" title={t('myPin.title')} onClick={() => setMyPin(true)}>
              {t('myPin.button')}
            </button>
          )}
          {signedIn && (
            <button type="button" className="button ghost" data-testid="sign-out" onClick={signOut}>
              {t('app.signOut')}
            </button>
          )}
        </header>
        {!coreReachable && (
          <div className="banner error" role="alert">
            {keyRefused ? t('app.keyRefused') : t('app.coreUnreachable')}
          </div>
        )}
        <div className="content">
          {status.setupNeeded ? (
            <Setup />
          ) : !signedIn ? (
            <SignIn />
          ) : screen === 'redeem' ? (
            <Redeem onCameraLive={setCameraLive} />
          ) : screen === 'endofday' ? (
            <EndOfDay />
          ) : (
            <Settings onClose={() => setScreen('redeem')} />
          )}
        </div>
        <StatusBar localScanners={localScanners} coreReachable={coreReachable} />
        {pinRequest && <ManagerPinDialog request={pinRequest} />}
        {myPin && signedIn && <ChangePinDialog onClose={() => setMyPin(false)} />}
      </div>
    </AppContext.Provider>
  );
}

