/**
 * The day's redemptions, virtualised: only the rows on screen exist in the DOM, so a busy day of
 * thousands of rows scrolls as smoothly as ten. Keyboard: the list is one tab stop; arrows,
 * Page Up/Down, Home/End move the selection, Enter opens the row.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { RedemptionView } from '../../../shared/contract.ts';
import type { Language } from '../../../shared/i18n/reasons.ts';
import { formatYuan } from '../../../shared/money.ts';
import { formatTime } from '../../format.ts';

const ROW_HEIGHT = 52;

export function RedemptionList({ rows, onOpen }: Readonly<{ rows: readonly RedemptionView[]; onOpen(row: RedemptionView): void }>) {
  const { t, i18n } = useTranslation();
  const language = i18n.language as Language;
  const scroller = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(0);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
  });

  useEffect(() => {
    if (active >= rows.length) setActive(Math.max(0, rows.length - 1));
  }, [rows.length, active]);

  const move = (index: number): void => {
    const next = Math.max(0, Math.min(rows.length - 1, index));
    setActive(next);
    virtualizer.scrollToIndex(next, { align: 'auto' });
  };
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? ROW_HEIGHT * 8) / ROW_HEIGHT) - 1);
    const keys: Record<string, () => void> = {
      ArrowDown: () => move(active + 1),
      ArrowUp: () => move(active - 1),
      PageDown: () => move(active + page),
      PageUp: () => move(active - page),
      Home: () => move(0),
      End: () => move(rows.length - 1),
      Enter: () => {
        const row = rows[active];
        if (row) onOpen(row);
      },
    };
    const action = keys[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  };

  const activeRow = rows[active];
  return (
    <div className="journal-list">
      <div className="journal-row journal-head" aria-hidden>
        <span>{t('eod.col.time')}</span>
        <span>{t('eod.col.card')}</span>
        <span className="num">{t('eod.col.amount')}</span>
        <span>{t('eod.col.state')}</span>
        <span>{t('eod.col.cashier')}</span>
      </div>
      <div
        ref={scroller}
        className="journal-scroll"
        role="listbox"
        tabIndex={0}
        aria-label={t('eod.listLabel', { count: rows.length })}
        aria-activedescendant={activeRow ? `row-${activeRow.id}` : undefined}
        data-testid="journal-list"
        onKeyDown={onKeyDown}
      >
        {rows.length === 0 && <p className="empty muted">{t('eod.empty')}</p>}
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index];
            if (!row) return null;
            return (
              <div
                key={row.id}
                id={`row-${row.id}`}
                role="option"
                aria-selected={item.index === active}
                className={`journal-row state-${row.state} ${item.index === active ? 'active' : ''}`}
                data-testid="journal-row"
                data-id={row.id}
                style={{ position: 'absolute', top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}
                onClick={() => {
                  setActive(item.index);
                  onOpen(row);
                }}
              >
                <span>{formatTime(row.createdAt, language)}</span>
                <span className="ellipsis">
                  {row.codeMasked} <span className="muted">{row.cardTitle ?? ''}</span>
                </span>
                <span className="num">{formatYuan(row.amountFen)}</span>
                <span>
                  <span className={`state-badge state-${row.state}`}>{t(`state.${row.state}`)}</span>
                  {row.offline && <span className="tag">{t('eod.offline')}</span>}
                </span>
                <span className="ellipsis">{row.cashier}</span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
