/**
 * Redeem: wait for a scan → show the card → type the amount → confirm → show the outcome. Also a
 * balance inquiry (scan → balance, nothing deducted). Scans come from the keyboard wedge here,
 * from the camera, from the core's serial/HID scanners (pushed `scan` events) or typed by hand.
 * The view state is a reducer (state.ts); this component carries out its requests.
 */
import { useCallback, useEffect, useReducer, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { RedemptionView } from '../../../shared/contract.ts';
import { formatYuan } from '../../../shared/money.ts';
import type { RawScan } from '../../../shared/scan/events.ts';
import { useApp } from '../../app/context.tsx';
import { localDay } from '../../format.ts';
import { reasonText } from '../../i18n/index.ts';
import type { Cue } from '../../sound.ts';
import { checkAmount } from './amount.ts';
import { CameraButton } from './CameraButton.tsx';
import { CardPanel } from './CardPanel.tsx';
import { startKeypadKeys } from './keyboard.ts';
import { OfflineBanner } from './OfflineBanner.tsx';
import { startScanInput, type RejectedScan, type ScanInput } from './scan-input.ts';
import { Keypad } from './Keypad.tsx';
import { RecentPanel } from './RecentPanel.tsx';
import { outcomeOf, ResultPanel } from './ResultPanel.tsx';
import { ShortBalanceOffer } from './ShortBalanceOffer.tsx';
import { cardUnusable, INITIAL_STATE, isAmountBeforeScan, keyCommand, prepareSubmit, redeemReducer, SERVICE_PROBLEMS, shortBalance, type Mode, type ScanProblem } from './state.ts';

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
  const [state, dispatch] = useReducer(redeemReducer, INITIAL_STATE);
  const { mode, view, amount } = state;
  const scanInput = useRef<ScanInput | null>(null);
  const lookupSeq = useRef(0);
  // Handlers registered once read the latest state through this ref.
  const stateRef = useRef(state);
  stateRef.current = state;

  const reset = useCallback((): void => {
    // A cancelled card may be scanned again straight away.
    scanInput.current?.forget();
    lookupSeq.current++;
    dispatch({ type: 'reset' });
  }, []);

  const onScan = useCallback(
    (text: string, at: number): void => {
      // Mid-request a new scan would race the one in flight; the cashier hears it was ignored.
      if (stateRef.current.view.step === 'submitting') {
        sound.play('error');
        return;
      }
      sound.play('scan');
      const seq = ++lookupSeq.current;
      dispatch({ type: 'lookupStarted', seq, code: text, at });
      void (async () => {
        const result = await call('card:lookup', { code: text });
        // A lookup overtaken by the next scan (or a cancel) is dropped by the reducer, silently.
        if (seq === lookupSeq.current && result && (!result.ok ? !SERVICE_PROBLEMS.has(result.error.reason) || stateRef.current.mode !== 'redeem' : result.value.problems.length > 0)) {
          sound.play('error');
        }
        dispatch({ type: 'lookupDone', seq, code: text, at, result });
      })();
    },
    [call, sound],
  );

  const submit = useCallback(
    (partial = false): void => {
      const current = stateRef.current;
      const plan = prepareSubmit(current, partial);
      if (!plan.ok) {
        if (plan.error) {
          dispatch({ type: 'amountRefused', error: plan.error });
          sound.play('error');
        }
        return;
      }
      dispatch({ type: 'submitStarted' });
      void (async () => {
        const result = await call('redemption:submit', {
          code: plan.code,
          amount: plan.amount,
          scannedAt: plan.scannedAt,
          ...(plan.shortfallFen > 0 ? { shortfallFen: plan.shortfallFen } : {}),
        });
        if (!result) sound.play('review');
        else if (!result.ok) sound.play(result.error.reason.startsWith('amount_') ? 'error' : 'declined');
        else sound.play(CUES[outcomeOf(result.value)]);
        dispatch({ type: 'submitDone', amountText: plan.amountText, shortfallFen: plan.shortfallFen, result });
        if (result?.ok) void refreshStatus();
      })();
    },
    [call, sound, refreshStatus],
  );

  const onKey = useCallback(
    (key: string): void => {
      const current = stateRef.current;
      const command = keyCommand(current, key);
      if (command.kind === 'submit') return submit();
      if (command.kind === 'lookup') return onScan(command.code, Date.now());
      // A key on a card that cannot take an amount: the cashier hears it went nowhere.
      if (current.view.step === 'card' && current.mode === 'redeem' && cardUnusable(current.view) && key.length === 1) sound.play('error');
      // Back to waiting (cancel, next customer): the same card may be scanned again at once.
      if (current.view.step !== 'waiting' && redeemReducer(current, { type: 'key', key }).view.step === 'waiting') {
        scanInput.current?.forget();
        lookupSeq.current++;
      }
      dispatch({ type: 'key', key });
    },
    [submit, onScan, sound],
  );

  const onRejectedScan = useCallback(
    (rejected: RejectedScan): void => {
      if (rejected.reason === 'duplicate') return;
      sound.play('error');
      dispatch({ type: 'scanRejected', text: rejected.text, reason: rejected.reason });
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
      // A queued or unresolved outcome being settled later updates the result on screen.
      if (event.type === 'redemption') dispatch({ type: 'redemptionChanged', redemption: event.redemption });
    });
    return () => {
      scans.stop();
      scanInput.current = null;
      keys.stop();
      off();
    };
  }, [client]);

  const voidRedemption = (redemption: RedemptionView): void => {
    dispatch({ type: 'voidStarted' });
    void askManager(t('void.title', { amount: formatYuan(redemption.amountFen) }), async (managerPin) => {
      const result = await call('redemption:void', { id: redemption.id, managerPin });
      if (result && !result.ok) {
        if (result.error.reason === 'pin_wrong') return 'pin_problem_wrong';
        if (result.error.reason === 'manager_required') return 'pin_problem_not_manager';
      }
      if (result?.ok) sound.play('review');
      dispatch({ type: 'voidDone', result });
      if (result?.ok) void refreshStatus();
      return 'done';
    });
  };

  const card = view.step === 'card' || view.step === 'submitting' ? view : null;
  const typedCheck = amount === '' ? null : checkAmount(amount);
  const typedFen = typedCheck?.ok ? typedCheck.fen : null;
  const short = shortBalance(state);
  const balanceWarning = short ? t('redeem.overBalance', { balance: formatYuan(short.balanceFen) }) : null;
  const unusable = card !== null && cardUnusable(card);

  return (
    <main className={`screen redeem mode-${mode}`} aria-label={t('screen.redeem')}>
      <OfflineBanner />
      {view.step === 'result' ? (
        <ResultPanel
          redemption={view.redemption}
          refused={view.refused}
          amountText={view.amountText}
          shortfallFen={view.shortfallFen}
          voidError={state.voidError ? reasonText(t, state.voidError) : null}
          canVoid={view.redemption?.state === 'settled' && localDay(view.redemption.createdAt) === localDay(Date.now()) && state.voidError === null}
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
                typedCode={state.typedCode}
                manualOpen={state.manualOpen}
                setManualOpen={(open) => dispatch({ type: 'manualOpen', open })}
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
                amountFen={mode === 'redeem' && !unusable ? typedFen : null}
              />
            )}
            {card && short && <ShortBalanceOffer short={short} busy={view.step === 'submitting'} onAccept={() => submit(true)} />}
          </div>
          <div className="redeem-right">
            {mode === 'redeem' && card ? (
              <Keypad
                amount={amount}
                disabled={unusable}
                busy={view.step === 'submitting'}
                error={state.amountError ? reasonText(t, state.amountError) : null}
                warning={balanceWarning}
                onKey={(key) => onKey(key)}
                onConfirm={() => submit()}
                onCancel={reset}
              />
            ) : mode === 'inquiry' && card ? (
              <section className="inquiry-done">
                <p className="muted">{t('inquiry.nothingDeducted')}</p>
                <button type="button" className="button primary large" data-testid="inquiry-done" onClick={() => dispatch({ type: 'endInquiry' })}>
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
                  onMouseDown={(e) => e.preventDefault()}
                  onClick={() => {
                    scanInput.current?.forget();
                    dispatch({ type: 'toggleInquiry' });
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
  problem: ScanProblem | null;
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
      {typedCode !== '' &&
        (mode === 'redeem' && isAmountBeforeScan(typedCode) ? (
          <div className="typed-code typed-amount" data-testid="typed-code">
            {t('redeem.typedAmount', { amount: `¥${typedCode}` })} <kbd>Esc</kbd>
          </div>
        ) : (
          <div className="typed-code" data-testid="typed-code">
            {t('redeem.typed')} <strong>{typedCode}</strong> <kbd>Enter</kbd> <kbd>Esc</kbd>
          </div>
        ))}
      {problem && typedCode === '' && (
        <div className="scan-problem" role="alert" data-testid="scan-problem">
          <strong>{problem.codeMasked}</strong>{' '}
          {problem.kind === 'lookup' ? reasonText(t, problem.error) : t(`scanProblem.${problem.reason}`, { count: problem.length })}
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
