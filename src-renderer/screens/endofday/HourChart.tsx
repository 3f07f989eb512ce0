/** Settled amount per hour of the day as bars (uPlot draws on a canvas: cheap for any day). */
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export type HourChartProps = Readonly<{ settledFenByHour: readonly number[]; settledCountByHour: readonly number[] }>;

export function HourChart({ settledFenByHour, settledCountByHour }: HourChartProps) {
  const { t } = useTranslation();
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const hours = Array.from({ length: 24 }, (_, h) => h);
    // The chart's scale is display only: fen become yuan here and nowhere on the money path.
    const yuan = hours.map((h) => (settledFenByHour[h] ?? 0) / 100);
    const counts = hours.map((h) => settledCountByHour[h] ?? 0);
    const width = Math.max(240, el.clientWidth);
    const plot = new uPlot(
      {
        width,
        height: 140,
        legend: { show: false },
        cursor: { show: false },
        scales: { x: { time: false, range: [-0.5, 23.5] }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
        axes: [
          { stroke: '#5b6470', grid: { show: false }, values: (_u, ticks) => ticks.map((v) => (Number.isInteger(v) ? `${v}` : '')), incrs: [3] },
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
    el.setAttribute('aria-label', t('eod.chartLabel', { total: counts.reduce((a, b) => a + b, 0) }));
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(240, el.clientWidth), height: 140 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [settledFenByHour, settledCountByHour, t]);

  return <div ref={box} className="hour-chart" role="img" data-testid="hour-chart" />;
}
