/**
 * People: add, rename, change the role of, disable and enable cashiers and managers; a manager
 * resets someone's PIN; anyone signed in changes their own. Shared by the core (Settings screen)
 * and `gcterm people`. Every rule is checked before anything is written (nothing half-saved);
 * every change is journaled with who made it, never the PIN.
 */
import type { CoreApi, ErrorView, PersonView, Role } from '../../shared/contract.ts';
import { err, ok, type Result } from '../../shared/result.ts';
import type { Db } from '../journal/db.ts';
import { changePerson, countActiveManagers, getPersonByName, listPeople, listPinFailures, type PersonChange } from '../journal/people.ts';
import { dayRange } from '../journal/redemptions.ts';
import type { Auth } from './auth.ts';
import { failure, type CoreContext } from './context.ts';
import { hashPin, nameProblem, newPinProblem } from './pins.ts';
import { sessionView } from './status.ts';

export type PeopleDeps = Readonly<{ db: Db; auth: Auth; terminalId(): string }>;

export type PersonUpdate = Readonly<{ rename?: string; role?: Role; active?: boolean }>;

export function peopleViews(db: Db): PersonView[] {
  return listPeople(db).map((p) => ({ name: p.name, role: p.role, active: p.active === 1 }));
}

/** Why `pin` cannot be someone's new PIN (`except` may keep their own), or null. */
async function pinProblem(deps: PeopleDeps, pin: string, except: string | null): Promise<ErrorView | null> {
  const rule = newPinProblem(pin);
  if (rule) return { reason: rule };
  // Sign-in finds a person by PIN alone, so two people cannot share one.
  const owner = await deps.auth.ownerOf(pin);
  if (owner && owner.name !== except) return { reason: 'pin_unavailable' };
  return null;
}

function nameCheck(db: Db, raw: string): Result<string, ErrorView> {
  const problem = nameProblem(raw);
  if (problem) return failure(problem);
  const name = raw.trim();
  if (getPersonByName(db, name)) return failure('person_name_taken');
  return ok(name);
}

export async function addPerson(deps: PeopleDeps, actor: string, name: string, role: Role, pin: string): Promise<Result<PersonView[], ErrorView>> {
  const checked = nameCheck(deps.db, name);
  if (!checked.ok) return checked;
  const problem = await pinProblem(deps, pin, null);
  if (problem) return err(problem);
  changePerson(deps.db, { kind: 'add', name: checked.value, role, pinHash: await hashPin(pin) }, actor, deps.terminalId());
  return ok(peopleViews(deps.db));
}

export async function updatePerson(deps: PeopleDeps, actor: string, name: string, update: PersonUpdate): Promise<Result<PersonView[], ErrorView>> {
  const person = getPersonByName(deps.db, name.trim());
  if (!person) return failure('person_unknown');
  const changes: PersonChange[] = [];
  const losesManager = person.role === 'manager' && person.active === 1 && ((update.role !== undefined && update.role !== 'manager') || update.active === false);
  if (update.active === false && person.name === actor) return failure('person_self');
  if (losesManager && countActiveManagers(deps.db) <= 1) return failure('person_last_manager');
  if (update.role !== undefined && update.role !== person.role) changes.push({ kind: 'role', name: person.name, role: update.role });
  if (update.active !== undefined && update.active !== (person.active === 1)) changes.push({ kind: 'active', name: person.name, active: update.active });
  if (update.rename !== undefined && update.rename.trim() !== person.name) {
    const checked = nameCheck(deps.db, update.rename);
    if (!checked.ok) return checked;
    changes.push({ kind: 'rename', name: person.name, to: checked.value });
  }
  for (const change of changes) changePerson(deps.db, change, actor, deps.terminalId());
  return ok(peopleViews(deps.db));
}

export async function resetPin(deps: PeopleDeps, actor: string, name: string, pin: string): Promise<Result<PersonView[], ErrorView>> {
  const person = getPersonByName(deps.db, name.trim());
  if (!person) return failure('person_unknown');
  const problem = await pinProblem(deps, pin, person.name);
  if (problem) return err(problem);
  changePerson(deps.db, { kind: 'pin', name: person.name, pinHash: await hashPin(pin), reset: actor !== person.name }, actor, deps.terminalId());
  return ok(peopleViews(deps.db));
}

export function peopleHandlers(
  ctx: CoreContext,
): Pick<CoreApi, 'people:list' | 'people:add' | 'people:update' | 'people:resetPin' | 'session:changePin' | 'auth:failures'> {
  const deps: PeopleDeps = { db: ctx.terminal.db, auth: ctx.auth, terminalId: () => ctx.settings.current.terminalId };
  return {
    'people:list': async ({ managerPin }) => {
      const manager = await ctx.auth.manager(managerPin, 'people');
      if (!manager.ok) return err(manager.error);
      return ok(peopleViews(deps.db));
    },
    'people:add': async ({ managerPin, name, role, pin }) => {
      const manager = await ctx.auth.manager(managerPin, 'people');
      if (!manager.ok) return err(manager.error);
      return addPerson(deps, manager.value.name, name, role, pin);
    },
    'people:update': async ({ managerPin, name, rename, role, active }) => {
      const manager = await ctx.auth.manager(managerPin, 'people');
      if (!manager.ok) return err(manager.error);
      const result = await updatePerson(deps, manager.value.name, name, { rename, role, active });
      const session = ctx.state.session;
      if (result.ok && session && session.name === name.trim()) {
        // The signed-in person follows their new name, role or removal.
        const now = result.value.find((p) => p.name === (rename?.trim() || session.name));
        ctx.state.session = now && now.active ? { ...session, name: now.name, role: now.role } : null;
        ctx.pushStatus();
      }
      return result;
    },
    'people:resetPin': async ({ managerPin, name, pin }) => {
      const manager = await ctx.auth.manager(managerPin, 'people');
      if (!manager.ok) return err(manager.error);
      return resetPin(deps, manager.value.name, name, pin);
    },
    'session:changePin': async ({ currentPin, newPin }) => {
      const session = ctx.state.session;
      if (!session) return failure('signed_out');
      const me = await ctx.auth.signIn(currentPin, 'change_pin');
      if (!me.ok) return err(me.error);
      if (me.value.name !== session.name) return failure('pin_wrong');
      const changed = await resetPin(deps, session.name, session.name, newPin);
      if (!changed.ok) return err(changed.error);
      return ok(sessionView(ctx));
    },
    'auth:failures': async ({ managerPin, date }) => {
      const manager = await ctx.auth.manager(managerPin, 'end_of_day');
      if (!manager.ok) return err(manager.error);
      const { fromMs, toMs } = dayRange(date);
      return ok(listPinFailures(deps.db, fromMs, toMs).map((f) => ({ at: f.at, terminalId: f.terminal_id, screen: f.screen, purpose: f.purpose })));
    },
  };
}
