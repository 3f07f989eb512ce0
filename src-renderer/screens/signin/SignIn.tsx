/** Sign-in: the cashier's PIN. A manager PIN signs in too (a manager can run the till). */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { reasonText } from '../../i18n/index.ts';
import { PinPad } from '../../app/PinPad.tsx';
import { useApp } from '../../app/context.tsx';

export function SignIn() {
  const { t, i18n } = useTranslation();
  const { call, refreshStatus, status, sound } = useApp();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [resetKey, setResetKey] = useState(0);

  // The language button takes focus when clicked: give it back to the PIN, so the next PIN typed
  // lands there (the PIN pad focuses its field whenever resetKey changes; digits are kept).
  const language = i18n.language;
  useEffect(() => {
    setResetKey((k) => k + 1);
  }, [language]);

  const submit = (pin: string): void => {
    setBusy(true);
    setError(null);
    void (async () => {
      const result = await call('session:signIn', { pin });
      setBusy(false);
      if (!result) return;
      if (!result.ok) {
        sound.play('error');
        setError(reasonText(t, result.error));
        setResetKey((k) => k + 1);
        return;
      }
      await refreshStatus();
    })();
  };

  return (
    <main className="screen signin" aria-labelledby="signin-title">
      <div className="signin-card">
        <h1 id="signin-title">{t('signin.title')}</h1>
        <p className="muted">
          {t('signin.terminal', { id: status.terminalId })}
          {status.sandbox && <span className="badge sandbox inline">{t('status.sandbox')}</span>}
        </p>
        <PinPad id="signin-pin" label={t('signin.pinLabel')} busy={busy} error={error} resetKey={resetKey} onSubmit={submit} />
      </div>
    </main>
  );
}
