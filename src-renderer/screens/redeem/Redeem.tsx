/**
 * Redeem: wait for a scan → show the card → type the amount → confirm → show the outcome. Also a
 * balance inquiry (scan → balance, nothing deducted). Scans come from the keyboard wedge here,
 * from the camera, from the core's serial/HID scanners (pushed `scan` events) or typed by hand.
 */
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { CardView, ErrorView, RedemptionView } from '../../../shared/contract.ts';
import { maskCode } from '../../../shared/codes.ts';
import { formatFen, formatYuan } from '../../../shared/money.ts';
import type { ReasonCode } from '../../../shared/reasons.ts';
import type { RawScan } from '../../../shared/scan/events.ts';
import { useApp } from '../../app/context.tsx';
import { localDay } from '../../format.ts';
import { reasonText } from '../../i18n/index.ts';
import type { Cue } from '../../sound.ts';
import { checkAmount, typeAmountKey } from './amount.ts';
import { CameraButton } from './CameraButton.tsx';
import { CardPanel } from './CardPanel.tsx';
import { startKeypadKeys } from './keyboard.ts';
import { startScanInput, type RejectedScan, type ScanInput } from './scan-input.ts';
import { Keypad } from './Keypad.tsx';
import { RecentPanel } from './RecentPanel.tsx';
import { outcomeOf, ResultPanel } from './ResultPanel.tsx';

type Mode = 'redeem' | 'inquiry';

type View =
  | Readonly<{ step: 'waiting'; problem: Readonly<{ codeMasked: string; error: ErrorView }> | null }>
  | Readonly<{ step: 'looking'; codeMasked: string }>
  | Readonly<{ step: 'card'; code: string; codeMasked: string; card: CardView | null; lookupProblem: ErrorView | null; scannedAt: number }>
  | Readonly<{ step: 'submitting'; code: string; codeMasked: string; card: CardView | null; lookupProblem: ErrorView | null; scannedAt: number }>
  | Readonly<{ step: 'result'; redemption: RedemptionView | null; refused: ErrorView | null; amountText: string }>;

/**
 * Lookup failures that say nothing about the card itself: the service could not be asked. The
 * cashier may still enter an amount, and the core decides whether it can be queued offline.
 */
const SERVICE_PROBLEMS: ReadonlySet<ReasonCode> = new Set([
  'network_unavailable',
  'service_busy',
  'quota_reached',
  'rate_limited',
  'token_failed',
  'bad_answer',
  'api_error',
]);

const CUES: Readonly<Record<ReturnType<typeof outcomeOf>, Cue>> = {
  approved: 'approved',
  declined: 'declined',
  queued: 'queued',
  review: 'review',
  checking: 'review',
  voided: 'review',
  refused: 'declined',
  no_answer: 'review',
};

export function Redeem({ onCameraLive }: Readonly<{ onCameraLive(live: boolean): void }>) {
  const { t } = useTranslation();
  const { call, client, sound, askManager, refreshStatus, status } = useApp();
  const [mode, setMode] = useState<Mode>('redeem');
  const [view, setView] = useState<View>({ step: 'waiting', problem: null });
  const [amount, setAmount] = useState('');
  const [amountError, setAmountError] = useState<ErrorView | null>(null);
  const [voidError, setVoidError] = useState<string | null>(null);
  const [manualOpen, setManualOpen] = useState(false);
  /** A code typed at the keyboard while waiting (or a scan the burst check could not tell apart). */
  const [typedCode, setTypedCode] = useState('');
  const lookupSeq = useRef(0);
  const scanInput = useRef<ScanInput | null>(null);
  // Handlers registered once read the latest state through these refs.
  const viewRef = useRef(view);
  viewRef.current = view;
  const modeRef = useRef(mode);
  modeRef.current = mode;
  const typedCodeRef = useRef(typedCode);
  typedCodeRef.current = typedCode;

  const reset = useCallback((): void => {
    lookupSeq.current++;
    // A cancelled card may be scanned again straight away.
    scanInput.current?.forget();
    setView({ step: 'waiting', problem: null });
    setAmount('');
    setAmountError(null);
    setVoidError(null);
    setTypedCode('');
  }, []);

  const onScan = useCallback(
    (text: string, at: number): void => {
      const current = viewRef.current;
      // Mid-request a new scan would race the one in flight; the cashier hears it was ignored.
      if (current.step === 'submitting') {
        sound.play('error');
        return;
      }
      sound.play('scan');
      const seq = ++lookupSeq.current;
      const codeMasked = maskCode(text);
      setView({ step: 'looking', codeMasked });
      setAmount('');
      setAmountError(null);
      setVoidError(null);
      setManualOpen(false);
      setTypedCode('');
      void (async () => {
        const result = await call('card:lookup', { code: text });
        if (seq !== lookupSeq.current) return;
        if (!result) {
          setView({ step: 'waiting', problem: null });
          return;
        }
        if (result.ok) {
          setView({ step: 'card', code: text, codeMasked: result.value.codeMasked, card: result.value, lookupProblem: null, scannedAt: at });
          // A voucher with a face value is redeemed whole: its amount is not the cashier's choice.
          if (result.value.subCardType === 'VOUCHER' && result.value.balanceFen > 0) setAmount(formatFen(result.value.balanceFen));
          if (result.value.problems.length > 0) sound.play('error');
          return;
        }
        if (SERVICE_PROBLEMS.has(result.error.reason) && modeRef.current === 'redeem') {
          setView({ step: 'card', code: text, codeMasked, card: null, lookupProblem: result.error, scannedAt: at });
          return;
        }
        sound.play('error');
        setView({ step: 'waiting', problem: { codeMasked, error: result.error } });
      })();
    },
    [call, sound],
  );

  const submit = useCallback((): void => {
    const current = viewRef.current;
    if (current.step !== 'card' || modeRef.current !== 'redeem') return;
    if (current.card && current.card.problems.length > 0) return;
    const check = checkAmount(amount);
    if (!check.ok) {
      setAmountError(check.error);
      sound.play('error');
      return;
    }
    setAmountError(null);
    setView({ ...current, step: 'submitting' });
    void (async () => {
      const result = await call('redemption:submit', { code: current.code, amount, scannedAt: current.scannedAt });
      if (!result) {
        // The request may or may not have reached the core: say so, never suggest a retry.
        sound.play('review');
        setView({ step: 'result', redemption: null, refused: null, amountText: amount });
        return;
      }
      if (!result.ok) {
        if (result.error.reason.startsWith('amount_')) {
          sound.play('error');
          setAmountError(result.error);
          setView({ ...current, step: 'card' });
          return;
        }
        sound.play('declined');
        setView({ step: 'result', redemption: null, refused: result.error, amountText: amount });
        return;
      }
      sound.play(CUES[outcomeOf(result.value)]);
      setView({ step: 'result', redemption: result.value, refused: null, amountText: amount });
      void refreshStatus();
    })();
  }, [amount, call, sound, refreshStatus]);

  const onKey = useCallback(
    (key: string): void => {
      const current = viewRef.current;
      const printable = key.length === 1;
      if (current.step === 'result' || (current.step === 'card' && modeRef.current === 'inquiry')) {
        if (key === 'Enter' || key === 'Escape') reset();
        else if (printable) {
          // Typing after an outcome starts the next customer's code.
          reset();
          setTypedCode(key);
        }
        return;
      }
      if (current.step === 'waiting') {
        if (printable) setTypedCode((c) => (c.length < 64 ? c + key : c));
        else if (key === 'Backspace') setTypedCode((c) => c.slice(0, -1));
        else if (key === 'Enter') {
          const code = typedCodeRef.current.trim();
          if (code !== '') onScan(code, Date.now());
        } else if (key === 'Escape') {
          if (typedCodeRef.current === '') setMode('redeem');
          reset();
        }
        return;
      }
      if (current.step !== 'card') return;
      if (key === 'Enter') return submit();
      if (key === 'Escape') return reset();
      setAmountError(null);
      setAmount((a) => typeAmountKey(a, key));
    },
    [reset, submit, onScan],
  );

  const onRejectedScan = useCallback(
    (rejected: RejectedScan): void => {
      // The same code again within a moment is a scanner repeating itself: nothing to say.
      if (rejected.reason === 'duplicate') return;
      sound.play('error');
      if (viewRef.current.step === 'waiting') {
        setView({ step: 'waiting', problem: { codeMasked: maskCode(rejected.text), error: { reason: 'code_invalid' } } });
      }
    },
    [sound],
  );

  // Saved scanner settings reach the page with the status and apply without a reload.
  const scannerSettings = status?.scannerSettings;
  const scannerSettingsRef = useRef(scannerSettings);
  scannerSettingsRef.current = scannerSettings;
  useEffect(() => {
    if (scannerSettings) scanInput.current?.update(scannerSettings);
  }, [scannerSettings]);

  // The listeners live as long as the screen; they read the latest handlers through a ref.
  const handlers = useRef({ onScan, onKey, onRejectedScan });
  handlers.current = { onScan, onKey, onRejectedScan };
  useEffect(() => {
    const scans = startScanInput({
      onScan: (scan) => handlers.current.onScan(scan.text, scan.at),
      onRejected: (rejected) => handlers.current.onRejectedScan(rejected),
    });
    scanInput.current = scans;
    if (scannerSettingsRef.current) scans.update(scannerSettingsRef.current);
    const keys = startKeypadKeys((key) => handlers.current.onKey(key));
    const off = client.onEvent((event) => {
      if (event.type === 'scan') handlers.current.onScan(event.text, event.at);
      if (event.type === 'redemption') {
        // A queued or unresolved outcome being settled later updates the result on screen.
        setView((v) => (v.step === 'result' && v.redemption?.id === event.redemption.id ? { ...v, redemption: event.redemption } : v));
      }
    });
    return () => {
      scans.stop();
      scanInput.current = null;
      keys.stop();
      off();
    };
  }, [client]);

  const voidRedemption = (redemption: RedemptionView): void => {
    setVoidError(null);
    void askManager(t('void.title', { amount: formatYuan(redemption.amountFen) }), async (managerPin) => {
      const result = await call('redemption:void', { id: redemption.id, managerPin });
      if (!result) return 'done';
      if (!result.ok) {
        if (result.error.reason === 'pin_wrong') return 'pin_problem_wrong';
        if (result.error.reason === 'manager_required') return 'pin_problem_not_manager';
        setVoidError(reasonText(t, result.error));
        return 'done';
      }
      sound.play('review');
      setView((v) => (v.step === 'result' ? { ...v, redemption: result.value } : v));
      void refreshStatus();
      return 'done';
    });
  };

  const card = view.step === 'card' || view.step === 'submitting' ? view : null;
  const typedCheck = amount === '' ? null : checkAmount(amount);
  const typedFen = typedCheck?.ok ? typedCheck.fen : null;
  const balanceWarning =
    card?.card && amount !== ''
      ? (() => {
          const check = checkAmount(amount);
          return check.ok && card.card.subCardType === 'GIFT_CARD' && check.fen > card.card.balanceFen
            ? t('redeem.overBalance', { balance: formatYuan(card.card.balanceFen) })
            : null;
        })()
      : null;

  return (
    <main className={`screen redeem mode-${mode}`} aria-label={t('screen.redeem')}>
      {view.step === 'result' ? (
        <ResultPanel
          redemption={view.redemption}
          refused={view.refused}
          amountText={view.amountText}
          voidError={voidError}
          canVoid={view.redemption?.state === 'settled' && localDay(view.redemption.createdAt) === localDay(Date.now())}
          onNext={reset}
          onVoid={() => view.redemption && voidRedemption(view.redemption)}
        />
      ) : (
        <div className="redeem-layout">
          <div className="redeem-left">
            {view.step === 'waiting' && (
              <WaitingPanel
                mode={mode}
                problem={view.problem}
                typedCode={typedCode}
                manualOpen={manualOpen}
                setManualOpen={setManualOpen}
                onManualCode={(code) => onScan(code, Date.now())}
                onCameraLive={onCameraLive}
                onCameraRead={(read) => scanInput.current?.feed(read)}
              />
            )}
            {view.step === 'looking' && (
              <section className="card-panel looking" aria-busy data-testid="card-panel">
                <p className="card-code">{view.codeMasked}</p>
                <p className="muted">{t('redeem.looking')}</p>
              </section>
            )}
            {card && (
              <CardPanel
                codeMasked={card.codeMasked}
                card={card.card}
                lookupProblem={card.lookupProblem}
                large={mode === 'inquiry'}
                amountFen={mode === 'redeem' ? typedFen : null}
              />
            )}
          </div>
          <div className="redeem-right">
            {mode === 'redeem' && card ? (
              <Keypad
                amount={amount}
                disabled={card.card !== null && card.card.problems.length > 0}
                busy={view.step === 'submitting'}
                error={amountError ? reasonText(t, amountError) : null}
                warning={balanceWarning}
                onKey={(key) => onKey(key)}
                onConfirm={submit}
                onCancel={reset}
              />
            ) : mode === 'inquiry' && card ? (
              <section className="inquiry-done">
                <p className="muted">{t('inquiry.nothingDeducted')}</p>
                <button type="button" className="button primary large" data-testid="inquiry-done" onClick={() => { setMode('redeem'); reset(); }}>
                  {t('inquiry.done')} <kbd>Enter</kbd>
                </button>
              </section>
            ) : (
              <section className="redeem-actions">
                {mode === 'redeem' && <RecentPanel />}
                <button
                  type="button"
                  className={`button large ${mode === 'inquiry' ? 'primary' : 'secondary'}`}
                  data-testid="inquiry"
                  aria-pressed={mode === 'inquiry'}
                  onClick={() => {
                    setMode(mode === 'inquiry' ? 'redeem' : 'inquiry');
                    reset();
                  }}
                >
                  {mode === 'inquiry' ? t('inquiry.cancel') : t('inquiry.start')}
                </button>
              </section>
            )}
          </div>
        </div>
      )}
    </main>
  );
}

type WaitingProps = Readonly<{
  mode: Mode;
  problem: Readonly<{ codeMasked: string; error: ErrorView }> | null;
  typedCode: string;
  manualOpen: boolean;
  setManualOpen(open: boolean): void;
  onManualCode(code: string): void;
  onCameraLive(live: boolean): void;
  onCameraRead(read: RawScan): void;
}>;

function WaitingPanel({ mode, problem, typedCode, manualOpen, setManualOpen, onManualCode, onCameraLive, onCameraRead }: WaitingProps) {
  const { t } = useTranslation();
  const { status } = useApp();
  const [code, setCode] = useState('');
  const submitManual = (event: FormEvent): void => {
    event.preventDefault();
    const text = code.trim();
    if (text !== '') onManualCode(text);
    setCode('');
  };
  const liveSerial = status.scanners.filter((s) => s.connected);
  return (
    <section className="waiting" data-testid="waiting" aria-live="polite">
      <div className="scan-prompt">
        <svg className="scan-icon" viewBox="0 0 120 80" width="120" height="80" aria-hidden focusable="false">
          {[8, 18, 24, 36, 44, 50, 62, 70, 80, 86, 98, 108].map((x, i) => (
            <rect key={x} x={x} y={8} width={i % 3 === 0 ? 6 : 3} height={64} fill="currentColor" />
          ))}
          <rect x={2} y={38} width={116} height={4} fill="#b3261e" />
        </svg>
        <h1>{mode === 'inquiry' ? t('inquiry.prompt') : t('redeem.prompt')}</h1>
        <ul className="live-scanners" aria-label={t('redeem.liveScanners')}>
          <li className="scanner live">{t('scanner.keyboard')}</li>
          {liveSerial.map((s) => (
            <li key={`${s.source}:${s.device}`} className="scanner live">
              {t(`scanner.${s.source}`)} · {s.device}
            </li>
          ))}
        </ul>
      </div>
      {typedCode !== '' && (
        <div className="typed-code" data-testid="typed-code">
          {t('redeem.typed')} <strong>{typedCode}</strong> <kbd>Enter</kbd> <kbd>Esc</kbd>
        </div>
      )}
      {problem && typedCode === '' && (
        <div className="scan-problem" role="alert" data-testid="scan-problem">
          <strong>{problem.codeMasked}</strong> {reasonText(t, problem.error)}
        </div>
      )}
      <div className="waiting-tools">
        <CameraButton onLive={onCameraLive} onRead={onCameraRead} settings={status.scannerSettings.camera} />
        {manualOpen ? (
          <form className="manual-code" onSubmit={submitManual}>
            <label htmlFor="manual-code">{t('redeem.manualLabel')}</label>
            <input
              id="manual-code"
              autoFocus
              autoComplete="off"
              inputMode="numeric"
              maxLength={64}
              value={code}
              onChange={(e) => setCode(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Escape') setManualOpen(false);
              }}
            />
            <button type="submit" className="button primary">
              {t('common.ok')}
            </button>
          </form>
        ) : (
          <button type="button" className="button secondary" data-testid="manual-open" onClick={() => setManualOpen(true)}>
            {t('redeem.manual')}
          </button>
        )}
      </div>
    </section>
  );
}
