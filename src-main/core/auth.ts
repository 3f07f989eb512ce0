/** Who may do what: signing in and out, and the manager PIN that guards void, review and settings. */
import { pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { CoreApi, Role } from '../../shared/contract.ts';
import { ok } from '../../shared/result.ts';
import { failure, type CoreContext } from './context.ts';
import { sessionView } from './status.ts';

/** Fresh-install people, documented in README.md; a manager changes them in Settings. */
export const DEFAULT_PEOPLE: ReadonlyArray<Readonly<{ name: string; role: Role; pin: string }>> = [
  { name: '收银员1', role: 'cashier', pin: '1234' },
  { name: '店长', role: 'manager', pin: '9999' },
];

export function hashPin(pin: string, salt: string = randomBytes(16).toString('hex')): string {
  return `pbkdf2$${salt}$${pbkdf2Sync(pin, salt, 100_000, 32, 'sha256').toString('hex')}`;
}

function pinMatches(pin: string, stored: string): boolean {
  const [scheme, salt, hash] = stored.split('$');
  if (scheme !== 'pbkdf2' || !salt || !hash) return false;
  const candidate = Buffer.from(hashPin(pin, salt).split('$')[2] ?? '', 'hex');
  const expected = Buffer.from(hash, 'hex');
  return candidate.length === expected.length && timingSafeEqual(candidate, expected);
}

export type Person = Readonly<{ name: string; role: Role }>;

export type Auth = Readonly<{
  /** The person this PIN belongs to, if any. */
  personBy(pin: string): Promise<Person | undefined>;
  /** The manager this PIN belongs to, if any. */
  managerBy(pin: string): Promise<Person | undefined>;
}>;

export function createAuth(ctx: CoreContext): Auth {
  const defaultHashes = new Map(DEFAULT_PEOPLE.map((p) => [p.pin, hashPin(p.pin)]));
  const people = () =>
    ctx.terminal.config.settings.people.length > 0
      ? ctx.terminal.config.settings.people
      : DEFAULT_PEOPLE.map((p) => ({ name: p.name, role: p.role, pinHash: defaultHashes.get(p.pin) ?? '' }));
  const personBy = async (pin: string): Promise<Person | undefined> => {
    const found = people().find((p) => pinMatches(pin, p.pinHash));
    return found ? { name: found.name, role: found.role } : undefined;
  };
  return {
    personBy,
    managerBy: async (pin) => {
      const person = await personBy(pin);
      return person?.role === 'manager' ? person : undefined;
    },
  };
}

export function authHandlers(ctx: CoreContext, auth: Auth): Pick<CoreApi, 'session:get' | 'session:signIn' | 'session:signOut'> {
  return {
    'session:get': async () => ok(sessionView(ctx)),
    'session:signIn': async ({ pin }) => {
      const person = await auth.personBy(pin);
      if (!person) return failure('pin_wrong');
      ctx.state.session = { name: person.name, role: person.role, at: Date.now() };
      ctx.pushStatus();
      return ok(sessionView(ctx));
    },
    'session:signOut': async () => {
      ctx.state.session = null;
      ctx.pushStatus();
      return ok(sessionView(ctx));
    },
  };
}
