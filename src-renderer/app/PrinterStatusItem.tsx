/**
 * The receipt printer in the status bar: ready, out of paper, unreachable… A printer in trouble
 * is shown in amber; it never stops a redemption (the receipt can be reprinted from the journal).
 */
import { useTranslation } from 'react-i18next';
import { useApp } from './context.tsx';

const FINE = new Set(['ok', 'paper_near_end', 'no_answer']);

export function PrinterStatusItem() {
  const { t } = useTranslation();
  const printer = useApp().status.printer;
  if (!printer || printer.kind === 'none') return null;
  const condition = printer.condition ?? 'unknown';
  const trouble = printer.condition !== null && !FINE.has(printer.condition);
  return (
    <span
      className={`status-item ${trouble ? 'attention' : ''}`}
      data-testid="printer-state"
      data-condition={condition}
      role="status"
      title={[printer.target, printer.message].filter(Boolean).join(' — ')}
    >
      {t('printer.short')} · {t(`printer.condition.${condition}`)}
    </span>
  );
}
