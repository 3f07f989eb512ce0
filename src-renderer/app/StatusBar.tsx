/**
 * The always-visible strip at the bottom: online/offline, SANDBOX vs live, the offline queue and
 * its exposure, items needing review, scanners, who is signed in. Everything a manager glancing
 * at the counter should see without touching anything.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ScannerStatusView } from '../../shared/contract.ts';
import type { Language } from '../../shared/i18n/reasons.ts';
import { formatYuan } from '../../shared/money.ts';
import { formatShortTime } from '../format.ts';
import { useApp } from './context.tsx';
import { PrinterStatusItem } from './PrinterStatusItem.tsx';

/** Scanners the renderer runs itself (keyboard wedge, camera) join the core's list here. */
export type LocalScanner = Readonly<{ source: 'keyboard' | 'camera'; live: boolean }>;

export function StatusBar({ localScanners, coreReachable }: Readonly<{ localScanners: readonly LocalScanner[]; coreReachable: boolean }>) {
  const { t, i18n } = useTranslation();
  const { status } = useApp();
  const language = i18n.language as Language;
  const now = useClock();
  const scanners: readonly ScannerStatusView[] = status.scanners;

  return (
    <footer className="statusbar" aria-label={t('status.label')}>
      <span className={`badge ${status.sandbox ? 'sandbox' : 'live'}`} data-testid="mode-badge">
        {status.sandbox ? t('status.sandbox') : t('status.live')}
      </span>
      {!coreReachable ? (
        <span className="status-item offline" role="status">
          <span className="dot" aria-hidden /> {t('status.coreUnreachable')}
        </span>
      ) : (
        <span className={`status-item ${status.online ? 'online' : 'offline'}`} data-testid="online-state" role="status">
          <span className="dot" aria-hidden />
          {status.online ? t('status.online') : t('status.offline')}
          <span className="muted small">{t('status.since', { time: formatShortTime(status.since, language) })}</span>
        </span>
      )}
      {coreReachable && status.hub && (
        <span className={`status-item ${status.hub.state === 'online' ? 'online' : 'offline'}`} data-testid="hub-state" title={status.hub.storeId}>
          <span className="dot" aria-hidden />
          {t(`status.hub.${status.hub.state}`)}
          {status.hub.state !== 'online' && <span className="muted small">{t('status.since', { time: formatShortTime(status.hub.since, language) })}</span>}
        </span>
      )}
      <span className={`status-item ${status.queueDepth > 0 ? 'attention' : ''}`} data-testid="queue-state">
        {t('status.queue', { count: status.queueDepth })}
        {status.queueDepth > 0 && <> · {formatYuan(status.queuedFen)}</>}
        {status.oldestQueuedAt !== null && (
          <span className="muted small">{t('status.oldest', { time: formatShortTime(status.oldestQueuedAt, language) })}</span>
        )}
      </span>
      {status.needsReview > 0 && (
        <span className="status-item attention" data-testid="review-state">
          {t('status.needsReview', { count: status.needsReview })}
        </span>
      )}
      <PrinterStatusItem />
      <span className="status-item scanners" data-testid="scanner-state">
        {localScanners.map((s) => (
          <span key={s.source} className={`scanner ${s.live ? 'live' : 'idle'}`} title={t(`scanner.${s.source}`)}>
            {t(`scanner.short.${s.source}`)}
          </span>
        ))}
        {scanners.map((s) => (
          <span key={`${s.source}:${s.device}`} className={`scanner ${s.connected ? 'live' : 'idle'}`} title={s.message ?? s.device}>
            {t(`scanner.short.${s.source}`)} {s.device}
          </span>
        ))}
      </span>
      <span className="status-spacer" />
      <span className="status-item" data-testid="who">
        {status.session.signedIn
          ? t('status.signedIn', { name: status.session.name ?? '', role: t(`role.${status.session.role ?? 'cashier'}`) })
          : t('status.signedOut')}
      </span>
      <span className="status-item muted">{status.terminalId}</span>
      <time className="status-item clock">{formatShortTime(now, language)}</time>
    </footer>
  );
}

function useClock(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}
