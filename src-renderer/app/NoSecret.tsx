/** Shown when the page was opened without the per-launch secret (not from `gcterm serve`'s URL). */
import { useTranslation } from 'react-i18next';

export function NoSecret() {
  const { t } = useTranslation();
  return (
    <main className="app no-secret">
      <h1>{t('app.title')}</h1>
      <p role="alert">{t('app.noSecret')}</p>
      <pre>npm run serve</pre>
    </main>
  );
}
