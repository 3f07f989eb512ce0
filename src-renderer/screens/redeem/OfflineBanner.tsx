/**
 * Offline in plain sight, on the cashier's own screen: while WeChat cannot be reached, a banner
 * says since when, how many redemptions are queued and for how much, and that exposure against
 * the manager's limit; the queued redemptions can be listed. When a queued redemption is later
 * sent — settled, declined or held for review — a notice says so, online or not.
 */
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RedemptionState, RedemptionView } from '../../../shared/contract.ts';
import type { Language } from '../../../shared/i18n/reasons.ts';
import { formatYuan } from '../../../shared/money.ts';
import { useApp } from '../../app/context.tsx';
import { formatShortTime } from '../../format.ts';

type Notice = Readonly<{ id: string; codeMasked: string; amountFen: number; state: RedemptionState }>;

/** How many settle notices stay on screen; older ones give way. */
const NOTICES_SHOWN = 3;

export function OfflineBanner() {
  const { t, i18n } = useTranslation();
  const language = i18n.language as Language;
  const { call, client, status } = useApp();
  const [listOpen, setListOpen] = useState(false);
  const [pending, setPending] = useState<readonly RedemptionView[]>([]);
  const [notices, setNotices] = useState<readonly Notice[]>([]);
  /** Ids this screen knows as queued: a change away from queued is worth a notice. */
  const queuedIds = useRef(new Set<string>());

  const depth = status.queueDepth;
  useEffect(() => {
    let alive = true;
    void (async () => {
      const result = await call('journal:list', { state: 'queued' });
      if (!alive || !result?.ok) return;
      const rows = [...result.value].sort((a, b) => a.createdAt - b.createdAt);
      for (const row of rows) queuedIds.current.add(row.id);
      setPending(rows);
    })();
    return () => {
      alive = false;
    };
  }, [call, depth]);

  useEffect(
    () =>
      client.onEvent((event) => {
        if (event.type !== 'redemption') return;
        const r = event.redemption;
        if (r.state === 'queued') {
          queuedIds.current.add(r.id);
          return;
        }
        if (!queuedIds.current.has(r.id)) return;
        // Still on its way (being deducted): wait for where it ends.
        if (r.state === 'pending' || r.state === 'deducting' || r.state === 'consuming') return;
        queuedIds.current.delete(r.id);
        setPending((rows) => rows.filter((row) => row.id !== r.id));
        setNotices((list) => [{ id: r.id, codeMasked: r.codeMasked, amountFen: r.amountFen, state: r.state }, ...list.filter((n) => n.id !== r.id)].slice(0, NOTICES_SHOWN));
      }),
    [client],
  );

  const limit = status.offlineExposureLimitFen;
  const share = limit > 0 ? Math.min(1, status.queuedFen / limit) : 1;
  const showBanner = !status.online || depth > 0;

  return (
    <>
      {showBanner && (
        <section className={`offline-banner ${status.online ? 'draining' : 'offline'}`} role="status" aria-labelledby="offline-banner-title" data-testid="offline-banner">
          <div className="offline-banner-line">
            <strong id="offline-banner-title">
              {status.online ? t('offline.queuedOnline') : t('offline.title', { time: formatShortTime(status.since, language) })}
            </strong>
            <span data-testid="offline-queued">{t('offline.queued', { count: depth, amount: formatYuan(status.queuedFen) })}</span>
            <span className="offline-exposure" data-testid="offline-exposure">
              {t('offline.exposure', { amount: formatYuan(status.queuedFen), limit: formatYuan(limit) })}
              <meter min={0} max={1} value={share} low={0.5} high={0.8} optimum={0} aria-label={t('offline.exposureLabel')} />
            </span>
            {depth > 0 && (
              <button
                type="button"
                className="button ghost small"
                data-testid="offline-list-toggle"
                aria-expanded={listOpen}
                aria-controls="offline-pending"
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => setListOpen(!listOpen)}
              >
                {listOpen ? t('offline.hideList') : t('offline.showList')}
              </button>
            )}
          </div>
          {!status.online && <p className="offline-hint">{t('offline.hint')}</p>}
          {listOpen && depth > 0 && (
            <ul id="offline-pending" className="offline-pending" data-testid="offline-pending" aria-label={t('offline.listLabel')}>
              {pending.map((r) => (
                <li key={r.id}>
                  <span className="muted">{formatShortTime(r.createdAt, language)}</span>
                  <span>{r.codeMasked}</span>
                  <span className="num">{formatYuan(r.amountFen)}</span>
                  <span className="muted">{r.cashier}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
      {notices.length > 0 && (
        <ul className="offline-notices" data-testid="offline-notices" aria-live="polite">
          {notices.map((n) => (
            <li key={n.id} className={`offline-notice state-${n.state}`} data-testid="offline-notice">
              <span>{t(`offline.notice.${noticeKind(n.state)}`, { code: n.codeMasked, amount: formatYuan(n.amountFen) })}</span>
              <button
                type="button"
                className="button ghost small"
                aria-label={t('offline.dismiss')}
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => setNotices((list) => list.filter((x) => x.id !== n.id))}
              >
                {t('common.close')}
              </button>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function noticeKind(state: RedemptionState): 'settled' | 'review' | 'declined' {
  if (state === 'settled') return 'settled';
  if (state === 'declined') return 'declined';
  return 'review';
}
