/**
 * The outcome, unmistakable from across the counter: colour, icon, a word in capitals and the
 * amount. Approved shows the remaining balance; declined the reason; queued says plainly that
 * WeChat has not confirmed it yet (hatched, blue — never green); review says not to try again.
 */
import { useTranslation } from 'react-i18next';
import type { ErrorView, RedemptionView } from '../../../shared/contract.ts';
import { formatYuan } from '../../../shared/money.ts';
import { reasonText } from '../../i18n/index.ts';

export type Outcome = 'approved' | 'declined' | 'queued' | 'review' | 'checking' | 'voided' | 'refused' | 'no_answer';

export function outcomeOf(redemption: RedemptionView): Outcome {
  switch (redemption.state) {
    case 'settled':
      return 'approved';
    case 'declined':
      return 'declined';
    case 'queued':
      return 'queued';
    case 'needs_review':
      return 'review';
    case 'voided':
      return 'voided';
    case 'written_off':
    case 'collected_other':
      return 'review';
    case 'pending':
    case 'deducting':
    case 'consuming':
    case 'voiding':
      return 'checking';
  }
}

const ICONS: Readonly<Record<Outcome, string>> = {
  approved: '✓',
  declined: '✕',
  queued: '⏳',
  review: '⚠',
  checking: '…',
  voided: '↺',
  refused: '✕',
  no_answer: '?',
};

export type ResultPanelProps = Readonly<{
  redemption: RedemptionView | null;
  /** A request refused before anything was journaled (bad input, signed out). */
  refused: ErrorView | null;
  amountText: string;
  voidError: string | null;
  canVoid: boolean;
  onNext(): void;
  onVoid(): void;
}>;

export function ResultPanel({ redemption, refused, amountText, voidError, canVoid, onNext, onVoid }: ResultPanelProps) {
  const { t } = useTranslation();
  const outcome: Outcome = redemption ? outcomeOf(redemption) : refused ? 'refused' : 'no_answer';
  const reason = redemption?.reason ? reasonText(t, { reason: redemption.reason }) : refused ? reasonText(t, refused) : null;
  return (
    <section className={`result result-${outcome}`} data-testid="result" data-outcome={outcome} role="status" aria-live="assertive">
      <div className="result-icon" aria-hidden>
        {ICONS[outcome]}
      </div>
      <h2 className="result-title" data-testid="result-title">
        {t(`result.${outcome}.title`)}
      </h2>
      {redemption && (
        <p className="result-amount" data-testid="result-amount">
          {formatYuan(redemption.amountFen)}
        </p>
      )}
      {!redemption && amountText !== '' && <p className="result-amount muted">¥{amountText}</p>}
      {outcome === 'approved' && redemption?.balanceAfterFen !== null && redemption?.balanceAfterFen !== undefined && (
        <p className="result-balance" data-testid="result-balance">
          {t('result.remaining', { balance: formatYuan(redemption.balanceAfterFen) })}
        </p>
      )}
      {reason && (
        <p className="result-reason" data-testid="result-reason">
          {reason}
        </p>
      )}
      <p className="result-hint">{t(`result.${outcome}.hint`)}</p>
      {redemption && (
        <p className="result-meta muted">
          {redemption.cardTitle ?? ''} {redemption.codeMasked} · #{redemption.id.slice(-6)}
        </p>
      )}
      {voidError && (
        <p className="result-void-error" role="alert">
          {voidError}
        </p>
      )}
      <div className="result-actions">
        {canVoid && (
          <button type="button" className="button danger" data-testid="void" onClick={onVoid}>
            {t('result.void')}
          </button>
        )}
        <button type="button" className="button primary large" data-testid="next" onClick={onNext} autoFocus>
          {t('result.next')} <kbd>Enter</kbd>
        </button>
      </div>
    </section>
  );
}
