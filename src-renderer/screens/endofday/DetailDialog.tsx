/** One redemption in full, with the manager's actions (void; the review actions). */
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RedemptionView } from '../../../shared/contract.ts';
import type { Language } from '../../../shared/i18n/reasons.ts';
import { formatYuan } from '../../../shared/money.ts';
import { formatDateTime, localDay } from '../../format.ts';
import { redemptionReasonText } from '../../i18n/index.ts';
import { REVIEW_ACTIONS, type ReviewAction } from './labels.ts';

export type DetailDialogProps = Readonly<{
  row: RedemptionView;
  message: string | null;
  onVoid(row: RedemptionView): void;
  onResolve(row: RedemptionView, action: ReviewAction, note: string): void;
  onClose(): void;
}>;

export function DetailDialog({ row, message, onVoid, onResolve, onClose }: DetailDialogProps) {
  const { t, i18n } = useTranslation();
  const language = i18n.language as Language;
  const dialog = useRef<HTMLDialogElement>(null);
  const [note, setNote] = useState('');

  useEffect(() => {
    const el = dialog.current;
    if (el && !el.open) el.showModal();
    return () => el?.close();
  }, []);

  const money = (fen: number | null): string => (fen === null ? '—' : formatYuan(fen));
  const facts: ReadonlyArray<readonly [string, string]> = [
    [t('detail.time'), formatDateTime(row.createdAt, language)],
    [t('detail.updated'), formatDateTime(row.updatedAt, language)],
    [t('detail.code'), `${row.codeMasked}${row.realCodeMasked && row.realCodeMasked !== row.codeMasked ? ` → ${row.realCodeMasked}` : ''}`],
    [t('detail.card'), row.cardTitle ?? '—'],
    [t('detail.amount'), formatYuan(row.amountFen)],
    [t('detail.balanceBefore'), money(row.balanceBeforeFen)],
    [t('detail.balanceAfter'), money(row.balanceAfterFen)],
    [t('detail.cashier'), row.cashier],
    [t('detail.terminal'), row.terminalId],
    [t('detail.offline'), row.offline ? t('common.yes') : t('common.no')],
    [t('detail.attempts'), String(row.attempts)],
    [t('detail.id'), row.id],
  ];
  const canVoid = row.state === 'settled' && localDay(row.createdAt) === localDay(Date.now());
  const inReview = row.state === 'needs_review';

  return (
    <dialog
      ref={dialog}
      className="modal detail"
      aria-labelledby="detail-title"
      data-testid="detail"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <h2 id="detail-title">
        <span className={`state-badge state-${row.state}`}>{t(`state.${row.state}`)}</span> {formatYuan(row.amountFen)}
      </h2>
      {row.reason && <p className="detail-reason">{redemptionReasonText(t, row)}</p>}
      {row.detail && <p className="detail-known">{row.detail}</p>}
      <dl className="detail-facts">
        {facts.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      {message && (
        <p className="detail-message" role="alert" data-testid="detail-message">
          {message}
        </p>
      )}
      {inReview && (
        <div className="review-actions">
          <label htmlFor="review-note">{t('review.note')}</label>
          <textarea id="review-note" rows={2} maxLength={500} value={note} onChange={(e) => setNote(e.target.value)} />
          <div className="review-buttons">
            {REVIEW_ACTIONS.map((action) => (
              <button key={action} type="button" className="button secondary" data-testid={`review-${action}`} onClick={() => onResolve(row, action, note)}>
                {t(`review.action.${action}`)}
              </button>
            ))}
          </div>
          <p className="muted small">{t('review.help')}</p>
        </div>
      )}
      <div className="dialog-actions">
        {canVoid && (
          <button type="button" className="button danger" data-testid="detail-void" onClick={() => onVoid(row)}>
            {t('result.void')}
          </button>
        )}
        <button type="button" className="button primary" autoFocus onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
    </dialog>
  );
}
