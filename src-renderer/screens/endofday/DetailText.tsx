/**
 * What the journal knows about a redemption, in the UI's language: the sentences `describeDetail`
 * (model.ts) recognises, translated with their amounts as ¥; anything else kept apart as
 * technical detail (as journaled), never passed off as a sentence for the manager.
 */
import { useTranslation } from 'react-i18next';
import { formatYuan } from '../../../shared/money.ts';
import { describeDetail, type DetailLine } from './model.ts';

export function useDetailLines(): (line: DetailLine) => string {
  const { t } = useTranslation();
  return (line) => {
    const params: Record<string, string | number> = {};
    for (const [key, value] of Object.entries(line.params)) {
      if (line.money.includes(key) && typeof value === 'number') params[key] = value < 0 ? t('detailText.unknownAmount') : formatYuan(value);
      else if (key === 'status' && typeof value === 'string') params[key] = value === '' ? '—' : t(`cardStatus.${value}`, { defaultValue: value });
      else params[key] = value;
    }
    return t(`detailText.${line.key}`, params);
  };
}

/** `summary`: one line, for a list; otherwise every sentence and the technical rest. */
export function DetailText({ detail, summary }: Readonly<{ detail: string | null; summary?: boolean }>) {
  const { t } = useTranslation();
  const text = useDetailLines();
  const described = describeDetail(detail);
  if (summary) {
    const first = described.lines[0];
    return <>{first ? text(first) : described.technical !== null ? t('detailText.technicalOnly') : ''}</>;
  }
  if (described.lines.length === 0 && described.technical === null) return null;
  return (
    <div className="detail-known" data-testid="detail-known">
      {described.lines.map((line, i) => (
        <p key={`${line.key}-${i}`}>{text(line)}</p>
      ))}
      {described.technical !== null && (
        <details className="detail-technical">
          <summary>{t('detailText.technical')}</summary>
          <pre lang="en">{described.technical}</pre>
        </details>
      )}
    </div>
  );
}
