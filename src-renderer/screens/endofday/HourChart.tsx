/**
 * Settled amount per hour of the day as bars (uPlot draws on a canvas: cheap for any day), hour
 * labels under them, and the same figures as a table for screen readers and for reading exact
 * amounts (opened under the chart).
 */
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatYuan } from '../../../shared/money.ts';

export type HourChartProps = Readonly<{ settledFenByHour: readonly number[]; settledCountByHour: readonly number[] }>;

const HOUR_TICKS = [0, 6, 12, 18];
const hh = (h: number): string => h.toString().padStart(2, '0');

export function HourChart({ settledFenByHour, settledCountByHour }: HourChartProps) {
  const { t } = useTranslation();
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const hours = Array.from({ length: 24 }, (_, h) => h);
    // The chart's scale is display only: fen become yuan here and nowhere on the money path.
    const yuan = hours.map((h) => (settledFenByHour[h] ?? 0) / 100);
    const width = Math.max(240, el.clientWidth);
    const plot = new uPlot(
      {
        width,
        height: 150,
        legend: { show: false },
        cursor: { show: false },
        scales: { x: { time: false, range: [-0.5, 23.5] }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
        axes: [
          {
            stroke: '#5b6470',
            grid: { show: false },
            size: 30,
            space: 20,
            splits: () => HOUR_TICKS,
            values: (_u, ticks) => ticks.map((v) => t('eod.hourTick', { hour: v })),
          },
          { stroke: '#5b6470', size: 56, values: (_u, ticks) => ticks.map((v) => `¥${v}`) },
        ],
        series: [
          {},
          {
            label: t('eod.chartAmount'),
            stroke: '#137a3f',
            fill: 'rgba(19, 122, 63, 0.55)',
            paths: uPlot.paths.bars?.({ size: [0.7, 40] }),
            points: { show: false },
          },
        ],
      },
      [hours, yuan],
      el,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(240, el.clientWidth), height: 150 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [settledFenByHour, t]);

  const total = settledCountByHour.reduce((a, b) => a + b, 0);
  const busyHours = settledCountByHour.map((count, hour) => ({ hour, count, fen: settledFenByHour[hour] ?? 0 })).filter((h) => h.count > 0);
  return (
    <>
      <div ref={box} className="hour-chart" role="img" aria-label={t('eod.chartLabel', { total })} data-testid="hour-chart" />
      <details className="hour-table">
        <summary>{t('eod.chartTable')}</summary>
        <table data-testid="hour-table">
          <caption className="visually-hidden">{t('eod.chartTitle')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('eod.hour')}</th>
              <th scope="col" className="num">{t('z.count')}</th>
              <th scope="col" className="num">{t('z.amount')}</th>
            </tr>
          </thead>
          <tbody>
            {busyHours.length === 0 ? (
              <tr>
                <td colSpan={3} className="muted">{t('eod.empty')}</td>
              </tr>
            ) : (
              busyHours.map((h) => (
                <tr key={h.hour}>
                  <th scope="row">{`${hh(h.hour)}:00–${hh(h.hour)}:59`}</th>
                  <td className="num">{h.count}</td>
                  <td className="num">{formatYuan(h.fen)}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </details>
    </>
  );
}
