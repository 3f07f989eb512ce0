/**
 * One redemption in full, with the manager's actions (void; the review actions). A native modal
 * <dialog> (showModal): the page behind is inert, Tab stays inside, Esc closes, and focus goes
 * back to what opened it (the list, so the arrow keys keep working). The header and the buttons
 * stay on screen at 1024×768; the facts scroll between them.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ErrorView, RedemptionView } from '../../../shared/contract.ts';
import type { Language } from '../../../shared/i18n/reasons.ts';
import { formatYuan } from '../../../shared/money.ts';
import { useModalDialog } from '../../app/useModalDialog.ts';
import { formatDateTime, localDay } from '../../format.ts';
import { reasonText, redemptionReasonText } from '../../i18n/index.ts';
import { DetailText } from './DetailText.tsx';
import { REVIEW_ACTIONS, type ReviewAction } from './labels.ts';
import { shortfallOf } from './model.ts';

/** The outcome of a manager's action on this row: done (the row's state says how) or refused. */
export type DetailMessage = Readonly<{ rowId: string; action: 'void' | ReviewAction; error: ErrorView | null }>;

export type DetailDialogProps = Readonly<{
  row: RedemptionView;
  message: DetailMessage | null;
  onVoid(row: RedemptionView): void;
  onResolve(row: RedemptionView, action: ReviewAction, note: string): void;
  onClose(): void;
}>;

export function DetailDialog({ row, message, onVoid, onResolve, onClose }: DetailDialogProps) {
  const { t, i18n } = useTranslation();
  const language = i18n.language as Language;
  const dialog = useModalDialog();
  const [note, setNote] = useState('');

  const money = (fen: number | null): string => (fen === null ? '—' : formatYuan(fen));
  const shortfall = shortfallOf(row);
  const facts: ReadonlyArray<readonly [string, string]> = [
    [t('detail.time'), formatDateTime(row.createdAt, language)],
    [t('detail.updated'), formatDateTime(row.updatedAt, language)],
    [t('detail.code'), `${row.codeMasked}${row.realCodeMasked && row.realCodeMasked !== row.codeMasked ? ` → ${row.realCodeMasked}` : ''}`],
    [t('detail.card'), row.cardTitle ?? '—'],
    [t('detail.kind'), row.subCardType === 'VOUCHER' ? t('card.voucher') : row.subCardType === 'GIFT_CARD' ? t('card.giftCard') : '—'],
    [t('detail.amount'), formatYuan(row.amountFen)],
    ...(shortfall > 0 ? [[t('detail.shortfall'), formatYuan(shortfall)] as const] : []),
    [t('detail.balanceBefore'), money(row.balanceBeforeFen)],
    [t('detail.balanceAfter'), money(row.balanceAfterFen)],
    [t('detail.cashier'), row.cashier],
    [t('detail.terminal'), row.terminalId],
    [t('detail.offline'), row.offline ? t('common.yes') : t('common.no')],
    [t('detail.attempts'), String(row.attempts)],
    [t('detail.id'), row.id],
  ];
  const voidRefused = message?.action === 'void' && message.error !== null;
  const canVoid = row.state === 'settled' && localDay(row.createdAt) === localDay(Date.now()) && !voidRefused;
  const inReview = row.state === 'needs_review';
  // Said from the row's current state, so the words always match the badge above.
  const messageText =
    message === null
      ? null
      : message.error !== null
        ? reasonText(t, message.error)
        : t(message.action === 'void' ? 'void.doneState' : 'review.done', { state: t(`state.${row.state}`) });

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
      <h2 id="detail-title" className="dialog-head">
        <span className={`state-badge state-${row.state}`} data-testid="detail-state">
          {t(`state.${row.state}`)}
        </span>{' '}
        {formatYuan(row.amountFen)}
      </h2>
      <div className="dialog-body">
        {row.reason && <p className="detail-reason">{redemptionReasonText(t, row)}</p>}
        <DetailText detail={row.detail} />
        {messageText && (
          <p className={`detail-message ${message?.error ? 'refused' : 'done'}`} role={message?.error ? 'alert' : 'status'} data-testid="detail-message">
            {messageText}
          </p>
        )}
        <dl className="detail-facts">
          {facts.map(([label, value]) => (
            <div key={label} className={label === t('detail.id') ? 'wide' : undefined}>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
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
      </div>
      <div className="dialog-actions">
        {canVoid && (
          <button type="button" className="button danger" data-testid="detail-void" onClick={() => onVoid(row)}>
            {t('result.void')}
          </button>
        )}
        <button type="button" className="button primary" data-testid="detail-close" data-autofocus onClick={onClose}>
          {t('common.close')} <kbd>Esc</kbd>
        </button>
      </div>
    </dialog>
  );
}
