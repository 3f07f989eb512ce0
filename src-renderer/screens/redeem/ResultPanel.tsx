/**
 * The outcome, unmistakable from across the counter: colour, icon, a word in capitals and the
 * amount. Approved shows the remaining balance; declined the reason; queued says plainly that
 * WeChat has not confirmed it yet (hatched, blue — never green); review says not to try again.
 */
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { ErrorView, RedemptionView } from '../../../shared/contract.ts';
import { formatYuan } from '../../../shared/money.ts';
import { reasonText, redemptionReasonText } from '../../i18n/index.ts';

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

/** Drawn, not typed: emoji and symbol glyphs are missing from many counter PCs' fonts. */
const stroke = { fill: 'none', stroke: 'currentColor', strokeWidth: 7, strokeLinecap: 'round', strokeLinejoin: 'round' } as const;
const ICON_PATHS: Readonly<Record<Outcome, ReactNode>> = {
  approved: <path d="M20 52 L42 72 L80 28" {...stroke} />,
  declined: <path d="M26 26 L74 74 M74 26 L26 74" {...stroke} />,
  refused: <path d="M26 26 L74 74 M74 26 L26 74" {...stroke} />,
  queued: (
    <>
      <circle cx="50" cy="50" r="36" {...stroke} />
      <path d="M50 28 L50 50 L66 60" {...stroke} />
    </>
  ),
  checking: (
    <>
      <circle cx="50" cy="50" r="36" {...stroke} />
      <path d="M50 28 L50 50 L66 60" {...stroke} />
    </>
  ),
  review: (
    <>
      <path d="M50 14 L88 82 L12 82 Z" {...stroke} />
      <path d="M50 40 L50 60 M50 71 L50 72" {...stroke} />
    </>
  ),
  no_answer: (
    <>
      <path d="M50 14 L88 82 L12 82 Z" {...stroke} />
      <path d="M50 40 L50 60 M50 71 L50 72" {...stroke} />
    </>
  ),
  voided: <path d="M30 40 L70 40 A18 18 0 0 1 70 76 L40 76 M42 26 L28 40 L42 54" {...stroke} />,
};

function OutcomeIcon({ outcome }: Readonly<{ outcome: Outcome }>) {
  return (
    <svg className="result-icon" viewBox="0 0 100 100" width="96" height="96" aria-hidden focusable="false">
      {ICON_PATHS[outcome]}
    </svg>
  );
}

export type ResultPanelProps = Readonly<{
  redemption: RedemptionView | null;
  /** A request refused before anything was journaled (bad input, signed out). */
  refused: ErrorView | null;
  amountText: string;
  /** Collected another way after a partial redemption (the short-balance offer); 0 when none. */
  shortfallFen: number;
  voidError: string | null;
  canVoid: boolean;
  onNext(): void;
  onVoid(): void;
}>;

export function ResultPanel({ redemption, refused, amountText, shortfallFen, voidError, canVoid, onNext, onVoid }: ResultPanelProps) {
  const { t } = useTranslation();
  // The journal's figure when there is one, else what this screen asked for.
  const collect = redemption?.shortfallFen ?? shortfallFen;
  const outcome: Outcome = redemption ? outcomeOf(redemption) : refused ? 'refused' : 'no_answer';
  const reason = redemption ? redemptionReasonText(t, redemption) : refused ? reasonText(t, refused) : null;
  return (
    <section className={`result result-${outcome}`} data-testid="result" data-outcome={outcome} role="status" aria-live="assertive">
      <OutcomeIcon outcome={outcome} />
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
      {collect > 0 && redemption && redemption.state !== 'declined' && (
        <p className="result-shortfall" data-testid="result-shortfall">
          {t('short.collect', { amount: formatYuan(collect) })}
        </p>
      )}
      {reason && (
        <p className="result-reason" data-testid="result-reason">
          {reason}
        </p>
      )}
      {redemption?.reason === 'insufficient_balance' && redemption.balanceBeforeFen !== null && (
        <p className="result-balance" data-testid="result-card-balance">
          {t('result.cardBalance', { balance: formatYuan(redemption.balanceBeforeFen) })}
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
