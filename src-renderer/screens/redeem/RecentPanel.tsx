/**
 * The last few redemptions of the day beside the scan prompt: after an interruption the cashier
 * can see at a glance whether the customer's redemption went through, without leaving the till.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RedemptionView } from '../../../shared/contract.ts';
import type { Language } from '../../../shared/i18n/reasons.ts';
import { formatYuan } from '../../../shared/money.ts';
import { useApp } from '../../app/context.tsx';
import { formatShortTime, localDay } from '../../format.ts';

const SHOWN = 6;

export function RecentPanel() {
  const { t, i18n } = useTranslation();
  const { call, client } = useApp();
  const [rows, setRows] = useState<readonly RedemptionView[]>([]);

  useEffect(() => {
    let alive = true;
    const load = async (): Promise<void> => {
      const result = await call('journal:list', { date: localDay(Date.now()) });
      if (alive && result?.ok) setRows([...result.value].sort((a, b) => b.createdAt - a.createdAt).slice(0, SHOWN));
    };
    void load();
    const off = client.onEvent((event) => {
      if (event.type === 'redemption') void load();
    });
    return () => {
      alive = false;
      off();
    };
  }, [call, client]);

  return (
    <section className="recent" aria-label={t('recent.title')} data-testid="recent">
      <h2>{t('recent.title')}</h2>
      {rows.length === 0 ? (
        <p className="muted">{t('recent.none')}</p>
      ) : (
        <ul>
          {rows.map((r) => (
            <li key={r.id}>
              <span className="muted">{formatShortTime(r.createdAt, i18n.language as Language)}</span>
              <span>{r.codeMasked}</span>
              <span className="num">{formatYuan(r.amountFen)}</span>
              <span className={`state-badge state-${r.state}`}>{t(`state.${r.state}`)}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
