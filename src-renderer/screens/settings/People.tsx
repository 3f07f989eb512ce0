/**
 * People, on the Settings screen (manager): everyone with their role and whether they can sign
 * in; add someone, rename, make cashier/manager, disable/enable, set a new PIN. Every refusal
 * (a PIN too simple, a name taken, the last manager) is the core's reason, shown as it says it.
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ErrorView, PersonView, Role } from '../../../shared/contract.ts';
import type { Result } from '../../../shared/result.ts';
import { useApp } from '../../app/context.tsx';
import { reasonText } from '../../i18n/index.ts';

export function People({ managerPin }: Readonly<{ managerPin: string }>) {
  const { t } = useTranslation();
  const { call } = useApp();
  const [people, setPeople] = useState<readonly PersonView[]>([]);
  const [message, setMessage] = useState<Readonly<{ kind: 'ok' | 'error'; text: string }> | null>(null);
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('cashier');
  const [newPin, setNewPin] = useState('');
  const [edits, setEdits] = useState<Readonly<Record<string, Readonly<{ rename?: string; pin?: string }>>>>({});

  const answer = useCallback(
    (result: Result<readonly PersonView[], ErrorView> | null, done: string): boolean => {
      if (!result) return false;
      if (!result.ok) {
        setMessage({ kind: 'error', text: reasonText(t, result.error) });
        return false;
      }
      setPeople(result.value);
      setMessage({ kind: 'ok', text: done });
      return true;
    },
    [t],
  );

  useEffect(() => {
    void (async () => {
      const result = await call('people:list', { managerPin });
      if (result?.ok) setPeople(result.value);
      else if (result) setMessage({ kind: 'error', text: reasonText(t, result.error) });
    })();
  }, [call, managerPin, t]);

  const add = (event: FormEvent): void => {
    event.preventDefault();
    void (async () => {
      if (answer(await call('people:add', { managerPin, name, role, pin: newPin }), t('people.added', { name: name.trim() }))) {
        setName('');
        setNewPin('');
      }
    })();
  };
  const edit = (person: string, patch: Readonly<{ rename?: string; pin?: string }>): void => setEdits({ ...edits, [person]: { ...edits[person], ...patch } });
  const update = (person: PersonView, change: Readonly<{ rename?: string; role?: Role; active?: boolean }>, done: string): void => {
    void (async () => {
      if (answer(await call('people:update', { managerPin, name: person.name, ...change }), done)) edit(person.name, { rename: undefined });
    })();
  };
  const setPin = (person: PersonView): void => {
    void (async () => {
      if (answer(await call('people:resetPin', { managerPin, name: person.name, pin: edits[person.name]?.pin ?? '' }), t('people.pinSet', { name: person.name }))) edit(person.name, { pin: '' });
    })();
  };

  return (
    <section className="settings-form people" aria-labelledby="people-title" data-testid="people">
      <fieldset>
        <legend id="people-title">{t('people.title')}</legend>
        <table className="people-table">
          <thead>
            <tr>
              <th>{t('people.name')}</th>
              <th>{t('people.role')}</th>
              <th>{t('people.newPin')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {people.map((p) => (
              <tr key={p.name} data-testid={`person-${p.name}`} className={p.active ? '' : 'muted'}>
                <td>
                  <input aria-label={t('people.renameLabel', { name: p.name })} value={edits[p.name]?.rename ?? p.name} maxLength={32} onChange={(e) => edit(p.name, { rename: e.target.value })} />
                  {(edits[p.name]?.rename ?? p.name) !== p.name && (
                    <button type="button" className="button secondary small" onClick={() => update(p, { rename: edits[p.name]?.rename ?? p.name }, t('people.renamed'))}>
                      {t('people.rename')}
                    </button>
                  )}
                </td>
                <td>
                  <select aria-label={t('people.role')} value={p.role} onChange={(e) => update(p, { role: e.target.value as Role }, t('people.roleChanged'))}>
                    <option value="cashier">{t('role.cashier')}</option>
                    <option value="manager">{t('role.manager')}</option>
                  </select>
                  {!p.active && <span className="badge inline">{t('people.disabled')}</span>}
                </td>
                <td>
                  <input
                    type="password"
                    inputMode="numeric"
                    autoComplete="new-password"
                    aria-label={t('people.newPinFor', { name: p.name })}
                    value={edits[p.name]?.pin ?? ''}
                    maxLength={8}
                    onChange={(e) => edit(p.name, { pin: e.target.value })}
                  />
                  <button type="button" className="button secondary small" disabled={(edits[p.name]?.pin ?? '') === ''} onClick={() => setPin(p)}>
                    {t('people.setPin')}
                  </button>
                </td>
                <td>
                  <button type="button" className="button secondary small" onClick={() => update(p, { active: !p.active }, p.active ? t('people.disabledDone', { name: p.name }) : t('people.enabledDone', { name: p.name }))}>
                    {p.active ? t('people.disable') : t('people.enable')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </fieldset>
      <form onSubmit={add} data-testid="person-add">
        <fieldset>
          <legend>{t('people.add')}</legend>
          <label>
            {t('people.name')}
            <input value={name} maxLength={32} onChange={(e) => setName(e.target.value)} />
          </label>
          <label>
            {t('people.role')}
            <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
              <option value="cashier">{t('role.cashier')}</option>
              <option value="manager">{t('role.manager')}</option>
            </select>
          </label>
          <label>
            {t('people.pin')}
            <input type="password" inputMode="numeric" autoComplete="new-password" value={newPin} maxLength={8} onChange={(e) => setNewPin(e.target.value)} />
          </label>
          <button type="submit" className="button primary">
            {t('people.add')}
          </button>
        </fieldset>
      </form>
      {message && (
        <p className={`settings-message ${message.kind}`} role={message.kind === 'error' ? 'alert' : 'status'} data-testid="people-message">
          {message.text}
        </p>
      )}
    </section>
  );
}
