/**
 * The Z-report: the day's totals on one page, for the drawer or the office. Hidden on screen and
 * laid out by the print stylesheet (window.print(), or Electron's printToPDF).
 */
import { useTranslation } from 'react-i18next';
import type { ChainVerification, DaySummary, RedemptionState } from '../../../shared/contract.ts';
import type { Language } from '../../../shared/i18n/reasons.ts';
import { formatYuan } from '../../../shared/money.ts';
import { formatDateTime } from '../../format.ts';
import { STATE_ORDER } from './labels.ts';

export type ZReportProps = Readonly<{
  summary: DaySummary;
  verification: ChainVerification | null;
  terminalId: string;
  sandbox: boolean;
  printedBy: string;
  printedAt: number;
}>;

export function ZReport({ summary, verification, terminalId, sandbox, printedBy, printedAt }: ZReportProps) {
  const { t, i18n } = useTranslation();
  const language = i18n.language as Language;
  const states = STATE_ORDER.filter((s) => summary.byState[s] !== undefined);
  const total = (pick: (s: RedemptionState) => number): number => states.reduce((sum, s) => sum + pick(s), 0);
  return (
    <section className="z-report" aria-label={t('z.title')} data-testid="z-report">
      <h1>{t('z.title')}</h1>
      {sandbox && <p className="z-sandbox">{t('z.sandbox')}</p>}
      <table className="z-head">
        <tbody>
          <tr>
            <th>{t('z.date')}</th>
            <td>{summary.date}</td>
          </tr>
          <tr>
            <th>{t('z.terminal')}</th>
            <td>{terminalId}</td>
          </tr>
          <tr>
            <th>{t('z.printedAt')}</th>
            <td>{formatDateTime(printedAt, language)}</td>
          </tr>
          <tr>
            <th>{t('z.printedBy')}</th>
            <td>{printedBy}</td>
          </tr>
        </tbody>
      </table>
      <table className="z-totals">
        <thead>
          <tr>
            <th>{t('z.state')}</th>
            <th className="num">{t('z.count')}</th>
            <th className="num">{t('z.amount')}</th>
          </tr>
        </thead>
        <tbody>
          {states.map((s) => (
            <tr key={s}>
              <td>{t(`state.${s}`)}</td>
              <td className="num">{summary.byState[s]?.count ?? 0}</td>
              <td className="num">{formatYuan(summary.byState[s]?.amountFen ?? 0)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th>{t('z.all')}</th>
            <th className="num">{total((s) => summary.byState[s]?.count ?? 0)}</th>
            <th className="num" />
          </tr>
          <tr className="z-settled">
            <th>{t('z.settledTotal')}</th>
            <th className="num">{summary.byState.settled?.count ?? 0}</th>
            <th className="num">{formatYuan(summary.byState.settled?.amountFen ?? 0)}</th>
          </tr>
        </tfoot>
      </table>
      <h2>{t('z.byHour')}</h2>
      <table className="z-hours">
        <tbody>
          {summary.settledCountByHour.map((count, hour) =>
            count > 0 ? (
              <tr key={hour}>
                <td>{`${hour.toString().padStart(2, '0')}:00`}</td>
                <td className="num">{count}</td>
                <td className="num">{formatYuan(summary.settledFenByHour[hour] ?? 0)}</td>
              </tr>
            ) : null,
          )}
        </tbody>
      </table>
      <p className="z-chain">
        {verification === null
          ? t('chain.unknown')
          : verification.ok
            ? t('chain.ok', { count: verification.checked })
            : t('chain.broken', { seq: verification.brokenAt?.seq ?? '?', problem: verification.brokenAt?.problem ?? '' })}
      </p>
      <p className="z-sign">{t('z.signature')} ______________________</p>
    </section>
  );
}
