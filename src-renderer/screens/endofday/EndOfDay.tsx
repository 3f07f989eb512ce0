/**
 * End of day: the day's journal with filters, totals by state, the needs-review queue and its
 * manager actions, settled amount per hour, CSV export, the Z-report, and whether the journal's
 * hash chain verifies. Reloads itself (debounced) when the core reports a redemption changing.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { maskCode } from '../../../shared/codes.ts';
import type { ChainVerification, DaySummary, ErrorView, RedemptionState, RedemptionView } from '../../../shared/contract.ts';
import { formatYuan } from '../../../shared/money.ts';
import { useApp } from '../../app/context.tsx';
import { localDay, localHour } from '../../format.ts';
import { startScanInput } from '../redeem/scan-input.ts';
import { describeVerificationProblems } from '../../../shared/i18n/journal.ts';
import { reasonText, redemptionReasonText } from '../../i18n/index.ts';
import { DetailDialog, type DetailMessage } from './DetailDialog.tsx';
import { DetailText } from './DetailText.tsx';
import { HourChart } from './HourChart.tsx';
import { PinFailures } from './PinFailures.tsx';
import { STATE_ORDER, type ReviewAction } from './labels.ts';
import { filterRows, hourRangeInverted, NO_FILTERS, settledByHour, totalsOf, type Filters } from './model.ts';
import { RedemptionList } from './RedemptionList.tsx';
import { ZReport } from './ZReport.tsx';


export function EndOfDay() {
  const { t, i18n } = useTranslation();
  const { call, client, status, askManager, refreshStatus, sound } = useApp();
  const [date, setDate] = useState(() => localDay(Date.now()));
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [rows, setRows] = useState<readonly RedemptionView[]>([]);
  const [summary, setSummary] = useState<DaySummary | null>(null);
  const [verification, setVerification] = useState<ChainVerification | null>(null);
  const [loading, setLoading] = useState(true);
  const [problem, setProblem] = useState<ErrorView | null>(null);
  // Kept as a key, not text, so it follows a language switch.
  const [notice, setNotice] = useState<Readonly<{ key: string; params?: Readonly<Record<string, string | number>> }> | null>(null);
  const [open, setOpen] = useState<RedemptionView | null>(null);
  /** The outcome of the last manager action, for the row it was taken on only. */
  const [detailMessage, setDetailMessage] = useState<DetailMessage | null>(null);
  /** A card scanned on this screen: its redemptions are searched by the full code. */
  const [scanned, setScanned] = useState<string | null>(null);
  const [printedAt, setPrintedAt] = useState(() => Date.now());
  const loadSeq = useRef(0);

  // The search goes to the core (it matches full codes the list only shows masked), typed
  // letter by letter: wait for a pause before asking.
  const [typedSearch, setTypedSearch] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => setTypedSearch(filters.search.trim()), 250);
    return () => clearTimeout(timer);
  }, [filters.search]);
  const search = scanned ?? typedSearch;

  // A card scanned here (keyboard wedge) finds its redemptions; typing in the fields stays typing.
  useEffect(() => {
    const scans = startScanInput({
      settings: status.scannerSettings,
      onScan: (scan) => {
        sound.play('scan');
        setScanned(scan.text);
      },
    });
    const off = client.onEvent((event) => {
      if (event.type === 'scan') setScanned(event.text);
    });
    return () => {
      scans.stop();
      off();
    };
  }, [client, sound, status.scannerSettings]);

  const load = useCallback(async (): Promise<void> => {
    const seq = ++loadSeq.current;
    const [list, day] = await Promise.all([
      call('journal:list', { date, ...(search !== '' ? { search } : {}) }),
      call('journal:summary', { date }),
    ]);
    if (seq !== loadSeq.current) return;
    setLoading(false);
    if (!list || !day) return;
    if (!list.ok) return setProblem(list.error);
    if (!day.ok) return setProblem(day.error);
    setProblem(null);
    setRows(list.value);
    setSummary(day.value);
  }, [call, date, search, t]);

  const verify = useCallback(async (): Promise<void> => {
    const result = await call('journal:verify', {});
    if (result?.ok) setVerification(result.value);
  }, [call]);

  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    void verify();
  }, [verify]);

  // Redemptions change under us (a queued one settling, another cashier): reload, at most twice a second.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const off = client.onEvent((event) => {
      if (event.type !== 'redemption') return;
      // The open row follows its latest journaled state (never an older one arriving late).
      const changed = event.redemption;
      setOpen((current) => (current && current.id === changed.id && changed.updatedAt >= current.updatedAt ? changed : current));
      if (timer) return;
      timer = setTimeout(() => {
        timer = null;
        void load();
      }, 500);
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, [client, load]);

  const cashiers = useMemo(() => [...new Set(rows.map((r) => r.cashier))].sort(), [rows]);
  const shown = useMemo(() => filterRows(rows, filters, localHour), [rows, filters]);
  // Every figure on the screen follows the filters: the totals and the chart are of the rows shown.
  const totals = useMemo(() => totalsOf(shown), [shown]);
  const hourly = useMemo(() => settledByHour(shown, localHour), [shown]);
  const filtered = filters.state !== '' || filters.cashier !== '' || filters.fromHour !== 0 || filters.toHour !== 23 || search !== '';
  const inverted = hourRangeInverted(filters);
  const reviewQueue = useMemo(() => rows.filter((r) => r.state === 'needs_review'), [rows]);

  const exportCsv = (): void => {
    void (async () => {
      const result = await call('journal:exportCsv', { date });
      if (!result) return;
      if (!result.ok) return setProblem(result.error);
      // A BOM so spreadsheet programs read the Chinese text as UTF-8.
      const blob = new Blob(['\uFEFF', result.value.csv], { type: 'text/csv;charset=utf-8' });
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = result.value.filename;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setNotice({ key: 'eod.exported', params: { filename: result.value.filename } });
    })();
  };

  const printReport = (): void => {
    setPrintedAt(Date.now());
    // Let React render the new time before the print snapshot is taken.
    requestAnimationFrame(() => window.print());
  };
  const savePdf = client.saveReportPdf
    ? (): void => {
        setPrintedAt(Date.now());
        void (async () => {
          const saved = await client.saveReportPdf?.({ filename: `z-report-${status.terminalId}-${date}.pdf` });
          if (saved) setNotice(saved.ok ? { key: 'eod.pdfSaved', params: { path: saved.path } } : { key: 'eod.pdfFailed', params: { message: saved.message } });
        })();
      }
    : null;

  const replay = (): void => {
    void (async () => {
      const result = await call('offline:replay', {});
      if (!result) return;
      if (!result.ok) return setProblem(result.error);
      setNotice({ key: 'eod.replayed', params: result.value });
      await Promise.all([load(), refreshStatus()]);
    })();
  };

  const managerOutcome = (reason: string): 'pin_problem_wrong' | 'pin_problem_not_manager' | null =>
    reason === 'pin_wrong' ? 'pin_problem_wrong' : reason === 'manager_required' ? 'pin_problem_not_manager' : null;

  const openRow = (row: RedemptionView): void => {
    // A message belongs to the dialog it was given in: a new dialog starts clean.
    setDetailMessage(null);
    setOpen(row);
  };

  const voidRow = (row: RedemptionView): void => {
    setDetailMessage(null);
    void askManager(t('void.title', { amount: formatYuan(row.amountFen) }), async (managerPin) => {
      const result = await call('redemption:void', { id: row.id, managerPin });
      if (!result) return 'done';
      if (!result.ok) {
        const pinProblem = managerOutcome(result.error.reason);
        if (pinProblem) return pinProblem;
        setDetailMessage({ rowId: row.id, action: 'void', error: result.error });
        sound.play('error');
        return 'done';
      }
      setOpen(result.value);
      setDetailMessage({ rowId: row.id, action: 'void', error: null });
      await Promise.all([load(), refreshStatus()]);
      return 'done';
    });
  };

  const resolve = (row: RedemptionView, action: ReviewAction, note: string): void => {
    setDetailMessage(null);
    void askManager(t(`review.confirm.${action}`, { amount: formatYuan(row.amountFen) }), async (managerPin) => {
      const result = await call('review:resolve', { id: row.id, action, managerPin, note });
      if (!result) return 'done';
      if (!result.ok) {
        const pinProblem = managerOutcome(result.error.reason);
        if (pinProblem) return pinProblem;
        setDetailMessage({ rowId: row.id, action, error: result.error });
        return 'done';
      }
      setOpen(result.value);
      setDetailMessage({ rowId: row.id, action, error: null });
      await Promise.all([load(), refreshStatus()]);
      return 'done';
    });
  };

  const setFilter = (patch: Partial<Filters>): void => setFilters((f) => ({ ...f, ...patch }));
  const hours = Array.from({ length: 24 }, (_, h) => h);

  return (
    <main className="screen endofday" aria-label={t('screen.endofday')} aria-busy={loading}>
      <div className="eod-toolbar">
        <label>
          {t('eod.date')}
          <input type="date" value={date} max={localDay(Date.now())} data-testid="eod-date" onChange={(e) => e.target.value && setDate(e.target.value)} />
        </label>
        <label>
          {t('eod.state')}
          <select value={filters.state} data-testid="filter-state" onChange={(e) => setFilter({ state: e.target.value as RedemptionState | '' })}>
            <option value="">{t('eod.all')}</option>
            {STATE_ORDER.map((s) => (
              <option key={s} value={s}>
                {t(`state.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('eod.cashier')}
          <select value={filters.cashier} data-testid="filter-cashier" onChange={(e) => setFilter({ cashier: e.target.value })}>
            <option value="">{t('eod.all')}</option>
            {cashiers.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('eod.from')}
          <select value={filters.fromHour} data-testid="filter-from" onChange={(e) => setFilter({ fromHour: Number(e.target.value) })}>
            {hours.map((h) => (
              <option key={h} value={h}>{`${h.toString().padStart(2, '0')}:00`}</option>
            ))}
          </select>
        </label>
        <label>
          {t('eod.to')}
          <select value={filters.toHour} data-testid="filter-to" onChange={(e) => setFilter({ toHour: Number(e.target.value) })}>
            {hours.map((h) => (
              <option key={h} value={h}>{`${h.toString().padStart(2, '0')}:59`}</option>
            ))}
          </select>
        </label>
        <label className="grow">
          {t('eod.search')}
          {scanned ? (
            <span className="scanned-search" data-testid="scanned-search">
              {t('eod.scannedCard', { code: maskCode(scanned) })}
              <button type="button" className="button ghost small" onClick={() => setScanned(null)}>
                {t('eod.clearScan')}
              </button>
            </span>
          ) : (
            <input type="search" value={filters.search} placeholder={t('eod.searchHint')} maxLength={64} data-testid="filter-search" onChange={(e) => setFilter({ search: e.target.value })} />
          )}
        </label>
      </div>
      {inverted && (
        <div className="banner error" role="alert" data-testid="hour-range-inverted">
          {t('eod.hoursInverted', { from: `${filters.fromHour.toString().padStart(2, '0')}:00`, to: `${filters.toHour.toString().padStart(2, '0')}:59` })}
        </div>
      )}
      {problem && (
        <div className="banner error" role="alert">
          {reasonText(t, problem)}
        </div>
      )}
      {notice && (
        <div className="banner info" role="status" data-testid="eod-notice">
          {t(notice.key, notice.params)}
          <button type="button" className="button ghost small" onClick={() => setNotice(null)}>
            {t('common.close')}
          </button>
        </div>
      )}
      <div className="eod-layout">
        <div className="eod-main">
          {reviewQueue.length > 0 && (
            <section className="review-queue" aria-label={t('review.queue')} data-testid="review-queue">
              <h2>{t('review.queueTitle', { count: reviewQueue.length })}</h2>
              <ul>
                {reviewQueue.map((r) => (
                  <li key={r.id}>
                    <button type="button" className="review-item" onClick={() => openRow(r)}>
                      <span>{r.codeMasked}</span>
                      <span className="num">{formatYuan(r.amountFen)}</span>
                      <span className="ellipsis">{redemptionReasonText(t, r) ?? <DetailText detail={r.detail} summary />}</span>
                    </button>
                  </li>
                ))}
              </ul>
            </section>
          )}
          <RedemptionList rows={shown} onOpen={openRow} />
        </div>
        <aside className="eod-side">
          <div className="eod-actions">
            <button type="button" className="button secondary" data-testid="export-csv" onClick={exportCsv}>
              {t('eod.exportCsv')}
            </button>
            <button type="button" className="button secondary" data-testid="print-z" onClick={printReport}>
              {t('eod.printZ')}
            </button>
            {savePdf && (
              <button type="button" className="button secondary" onClick={savePdf}>
                {t('eod.savePdf')}
              </button>
            )}
            <button type="button" className="button secondary" data-testid="replay" onClick={replay} disabled={status.queueDepth === 0}>
              {t('eod.replay', { count: status.queueDepth })}
            </button>
          </div>
          <section className="totals" aria-label={t('eod.totals')} data-testid="totals">
            <h2>{t('eod.totals')}</h2>
            {filtered && <p className="muted small" data-testid="totals-filtered">{t('eod.totalsFiltered', { count: totals.count, all: rows.length })}</p>}
            <table>
              <tbody>
                {STATE_ORDER.filter((s) => totals.byState[s] !== undefined).map((s) => (
                  <tr key={s} className={`state-${s}`} data-testid={`total-${s}`}>
                    <th>
                      <span className={`state-badge state-${s}`}>{t(`state.${s}`)}</span>
                    </th>
                    <td className="num">{totals.byState[s]?.count ?? 0}</td>
                    <td className="num">{formatYuan(totals.byState[s]?.amountFen ?? 0)}</td>
                  </tr>
                ))}
                {totals.shortfallCount > 0 && (
                  <tr data-testid="total-shortfall">
                    <th>
                      <span className="state-badge state-shortfall">{t('eod.shortfall')}</span>
                    </th>
                    <td className="num">{totals.shortfallCount}</td>
                    <td className="num">{formatYuan(totals.shortfallFen)}</td>
                  </tr>
                )}
                {totals.count === 0 && (
                  <tr>
                    <td className="muted">{t('eod.empty')}</td>
                  </tr>
                )}
              </tbody>
            </table>
          </section>
          <section className="chart" aria-labelledby="chart-title">
            <h2 id="chart-title">{t('eod.chartTitle')}</h2>
            <HourChart settledFenByHour={hourly.fen} settledCountByHour={hourly.count} />
          </section>
          <PinFailures date={date} />
          <section className={`chain ${verification ? (verification.ok ? 'ok' : 'broken') : ''}`} data-testid="chain" role="status">
            {verification === null
              ? t('chain.unknown')
              : verification.ok
                ? t('chain.ok', { count: verification.checked })
                : t('chain.broken', { seq: verification.brokenAt?.seq ?? '?', problem: describeVerificationProblems(verification, i18n.language === 'en' ? 'en' : 'zh-CN') })}
            <button type="button" className="button ghost small" onClick={() => void verify()}>
              {t('chain.again')}
            </button>
          </section>
        </aside>
      </div>
      {summary && (
        <ZReport
          summary={summary}
          verification={verification}
          terminalId={status.terminalId}
          sandbox={status.sandbox}
          printedBy={status.session.name ?? ''}
          printedAt={printedAt}
        />
      )}
      {open && (
        <DetailDialog
          row={open}
          message={detailMessage?.rowId === open.id ? detailMessage : null}
          onVoid={voidRow}
          onResolve={resolve}
          onClose={() => {
            setOpen(null);
            setDetailMessage(null);
          }}
        />
      )}
    </main>
  );
}
