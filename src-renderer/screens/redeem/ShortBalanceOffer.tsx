/**
 * The card does not cover the amount: say what it holds and offer the usual counter answer —
 * take the balance from the card and collect the rest another way (cash, another card). Accepting
 * sends the card's balance with the shortfall, which the journal keeps as the amount to collect.
 */
import { useTranslation } from 'react-i18next';
import { formatYuan } from '../../../shared/money.ts';
import type { ShortBalance } from './state.ts';

export function ShortBalanceOffer({ short, busy, onAccept }: Readonly<{ short: ShortBalance; busy: boolean; onAccept(): void }>) {
  const { t } = useTranslation();
  return (
    <section className="short-offer" data-testid="short-offer" aria-labelledby="short-offer-title">
      <h2 id="short-offer-title">{t('short.title')}</h2>
      <p>{t('short.explain', { balance: formatYuan(short.balanceFen), amount: formatYuan(short.amountFen) })}</p>
      <button
        type="button"
        className="button primary large"
        data-testid="short-offer-accept"
        disabled={busy}
        onMouseDown={(e) => e.preventDefault()}
        onClick={onAccept}
      >
        {t('short.accept', { take: formatYuan(short.takeFen), collect: formatYuan(short.collectFen) })}
      </button>
    </section>
  );
}
