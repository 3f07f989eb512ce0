/**
 * Wrong PINs of the day, for the manager at end of day (issue 11): when, which terminal, which
 * screen. Behind the manager PIN; a self-contained section of the End of day screen.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PinFailureView } from '../../../shared/contract.ts';
import type { Language } from '../../../shared/i18n/reasons.ts';
import { useApp } from '../../app/context.tsx';
import { formatTime } from '../../format.ts';
import { reasonText } from '../../i18n/index.ts';

export function PinFailures({ date }: Readonly<{ date: string }>) {
  const { t, i18n } = useTranslation();
  const { call, askManager } = useApp();
  const [failures, setFailures] = useState<readonly PinFailureView[] | null>(null);
  const [shownFor, setShownFor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const show = (): void => {
    void askManager(t('pinFailures.unlock'), async (managerPin) => {
      const result = await call('auth:failures', { managerPin, date });
      if (!result) return 'done';
      if (!result.ok) {
        if (result.error.reason === 'pin_wrong') return 'pin_problem_wrong';
        if (result.error.reason === 'manager_required') return 'pin_problem_not_manager';
        setError(reasonText(t, result.error));
        return 'done';
      }
      setError(null);
      setFailures(result.value);
      setShownFor(date);
      return 'done';
    });
  };

  const visible = failures !== null && shownFor === date;
  return (
    <section className="pin-failures" aria-labelledby="pin-failures-title" data-testid="pin-failures">
      <h2 id="pin-failures-title">{t('pinFailures.title')}</h2>
      {!visible && (
        <button type="button" className="button ghost small" onClick={show} data-testid="pin-failures-show">
          {t('pinFailures.show')}
        </button>
      )}
      {error && <p role="alert">{error}</p>}
      {visible &&
        (failures.length === 0 ? (
          <p className="muted">{t('pinFailures.none')}</p>
        ) : (
          <>
            <p data-testid="pin-failures-count">{t('pinFailures.count', { count: failures.length })}</p>
            <ul>
              {failures.map((f, i) => (
                <li key={`${f.at}-${i}`}>
                  {formatTime(f.at, i18n.language as Language)} · {f.terminalId} · {t(`pinFailures.screen.${f.screen}`, { defaultValue: f.screen })}
                </li>
              ))}
            </ul>
          </>
        ))}
    </section>
  );
}
