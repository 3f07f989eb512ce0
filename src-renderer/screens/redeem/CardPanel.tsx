/** The scanned card: title, masked code, balance, validity, status, and why it cannot be used. */
import { useTranslation } from 'react-i18next';
import type { CardView, ErrorView } from '../../../shared/contract.ts';
import type { Language } from '../../../shared/i18n/reasons.ts';
import { formatYuan } from '../../../shared/money.ts';
import { formatDaySeconds } from '../../format.ts';
import { reasonText } from '../../i18n/index.ts';

export type CardPanelProps = Readonly<{
  codeMasked: string;
  card: CardView | null;
  /** Set when the card could not be read online (the redemption may still be queued offline). */
  lookupProblem: ErrorView | null;
  large?: boolean;
  /** The amount typed so far, when valid: the balance after it is previewed. */
  amountFen?: number | null;
}>;

export function CardPanel({ codeMasked, card, lookupProblem, large, amountFen }: CardPanelProps) {
  const { t, i18n } = useTranslation();
  const language = i18n.language as Language;
  if (!card) {
    return (
      <section className="card-panel unverified" data-testid="card-panel" aria-label={t('card.label')}>
        <h2 className="card-title">{t('card.unverified')}</h2>
        <p className="card-code">{codeMasked}</p>
        {lookupProblem && <p className="card-note">{reasonText(t, lookupProblem)}</p>}
        <p className="card-note">{t('card.unverifiedHint')}</p>
      </section>
    );
  }
  const validity =
    card.endTime === null
      ? card.beginTime === null
        ? t('card.permanent')
        : t('card.validFrom', { from: formatDaySeconds(card.beginTime, language) })
      : card.beginTime === null
        ? t('card.validUntil', { to: formatDaySeconds(card.endTime, language) })
        : t('card.validity', { from: formatDaySeconds(card.beginTime, language), to: formatDaySeconds(card.endTime, language) });
  const usable = card.problems.length === 0;
  return (
    <section className={`card-panel ${usable ? 'usable' : 'unusable'} ${large ? 'large' : ''}`} data-testid="card-panel" aria-label={t('card.label')}>
      <h2 className="card-title" data-testid="card-title">
        {card.title}
        <span className="card-kind">{card.subCardType === 'VOUCHER' ? t('card.voucher') : t('card.giftCard')}</span>
      </h2>
      <p className="card-code" data-testid="card-code">
        {card.codeMasked}
        {card.codeKind === 'wechat_dynamic' && <span className="tag">{t('card.dynamic')}</span>}
      </p>
      <dl className="card-facts">
        <dt>{t('card.balance')}</dt>
        <dd className="card-balance" data-testid="card-balance">
          {card.subCardType === 'VOUCHER' && card.balanceFen === 0 ? t('card.voucherWhole') : formatYuan(card.balanceFen)}
        </dd>
        {amountFen !== null && amountFen !== undefined && card.subCardType === 'GIFT_CARD' && amountFen <= card.balanceFen && (
          <>
            <dt>{t('card.after')}</dt>
            <dd className="card-after" data-testid="card-after">
              {formatYuan(card.balanceFen - amountFen)}
            </dd>
          </>
        )}
        <dt>{t('card.validityLabel')}</dt>
        <dd>{validity}</dd>
        <dt>{t('card.status')}</dt>
        <dd>{t(`cardStatus.${card.userCardStatus}`, { defaultValue: card.userCardStatus })}</dd>
      </dl>
      {card.subCardType === 'VOUCHER' && usable && <p className="card-note">{t('card.voucherHint')}</p>}
      {!usable && (
        <ul className="card-problems" role="alert" data-testid="card-problems">
          {card.problems.map((reason) => (
            <li key={reason}>{reasonText(t, { reason })}</li>
          ))}
        </ul>
      )}
    </section>
  );
}
