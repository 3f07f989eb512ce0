/**
 * The manager PIN prompt, shown over any screen for void, review actions and settings. The PIN is
 * sent with the one request it authorises and forgotten when the dialog closes.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PinPad } from './PinPad.tsx';
import { useModalDialog } from './useModalDialog.ts';

export type PinRequest = Readonly<{
  title: string;
  attempt: (pin: string) => Promise<'pin_problem_wrong' | 'pin_problem_not_manager' | 'done'>;
  close(went: boolean): void;
}>;

export function ManagerPinDialog({ request }: Readonly<{ request: PinRequest }>) {
  const { t } = useTranslation();
  // Focus goes back to what asked for the PIN (the void button in a detail dialog, say).
  const dialog = useModalDialog();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [resetKey, setResetKey] = useState(0);

  const submit = (pin: string): void => {
    setBusy(true);
    request
      .attempt(pin)
      .then((outcome) => {
        if (outcome === 'done') {
          request.close(true);
          return;
        }
        setError(t(outcome === 'pin_problem_wrong' ? 'reasons:pin_wrong' : 'reasons:manager_required'));
        setResetKey((k) => k + 1);
        setBusy(false);
      })
      .catch(() => {
        setBusy(false);
        request.close(false);
      });
  };

  return (
    <dialog
      ref={dialog}
      className="modal manager-pin"
      aria-labelledby="manager-pin-title"
      onCancel={(e) => {
        e.preventDefault();
        if (!busy) request.close(false);
      }}
    >
      <h2 id="manager-pin-title">{request.title}</h2>
      <PinPad
        id="manager-pin"
        label={t('manager.pinLabel')}
        busy={busy}
        error={error}
        resetKey={resetKey}
        onSubmit={submit}
        onCancel={() => request.close(false)}
      />
    </dialog>
  );
}
