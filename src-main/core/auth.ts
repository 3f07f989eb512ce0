/**
 * Who may do what: people and their PINs (journal/people.ts), signing in and out, the manager PIN
 * that guards void, review and settings, and the lockout: after 5 wrong PINs of one purpose
 * (sign-in, manager approval) on a terminal, a delay that doubles with every further failure.
 * Every attempt is recorded with the terminal and the screen; failures are journaled.
 * Checks run one at a time, so guesses sent in parallel cannot slip past the count.
 */
import type { CoreApi, ErrorView, Role } from '../../shared/contract.ts';
import { err, ok, type Result } from '../../shared/result.ts';
import type { Db } from '../journal/db.ts';
import { failuresSinceLastSuccess, listPeople, recordPinAttempt, seedPeople, upgradePinHash } from '../journal/people.ts';
import { failure, type CoreContext } from './context.ts';
import { DEFAULT_PINS, hashPin, verifyPin } from './pins.ts';
import { sessionView } from './status.ts';

/** Fresh-install people, documented in README.md; change their PINs at first start. */
export const DEFAULT_PEOPLE: ReadonlyArray<Readonly<{ name: string; role: Role; pin: string }>> = [
  { name: '收银员1', role: 'cashier', pin: '1234' },
  { name: '店长', role: 'manager', pin: '9999' },
];

export { hashPin };

export type Person = Readonly<{ name: string; role: Role }>;
export type PinPurpose = 'sign_in' | 'manager';

/** Wrong PINs allowed before the delay starts. */
export const FREE_ATTEMPTS = 5;
const FIRST_DELAY_MS = 30_000;
const MAX_DELAY_MS = 15 * 60_000;

/** The delay after `failures` consecutive failures (0 below FREE_ATTEMPTS). */
export function lockoutDelayMs(failures: number): number {
  if (failures < FREE_ATTEMPTS) return 0;
  return Math.min(FIRST_DELAY_MS * 2 ** (failures - FREE_ATTEMPTS), MAX_DELAY_MS);
}

export type AuthOptions = Readonly<{
  db: Db;
  terminalId: string;
  now?: () => number;
  /** People of an older release's settings.json (PBKDF2 hashes), imported on first open. */
  legacyPeople?: ReadonlyArray<Readonly<{ name: string; role: Role; pinHash: string }>>;
}>;

export type Auth = Readonly<{
  /** A PIN for signing in: the active person it belongs to. */
  signIn(pin: string, screen: string): Promise<Result<Person, ErrorView>>;
  /** A PIN approving a manager's action: the active manager it belongs to. */
  manager(pin: string, screen: string): Promise<Result<Person, ErrorView>>;
  /** The active person whose PIN this is, without counting an attempt (rules for new PINs). */
  ownerOf(pin: string): Promise<Person | undefined>;
  /** Whether any active person still has a fresh-install PIN (1234, 9999). */
  usesDefaultPins(): Promise<boolean>;
}>;

/** Seeds the people table once: an older settings.json's people, else the fresh-install pair. */
export async function ensurePeople(db: Db, legacy: AuthOptions['legacyPeople'] = []): Promise<void> {
  if (listPeople(db).length > 0) return;
  const seed =
    legacy.length > 0
      ? legacy
      : await Promise.all(DEFAULT_PEOPLE.map(async (p) => ({ name: p.name, role: p.role, pinHash: await hashPin(p.pin) })));
  seedPeople(db, seed);
}

export function createAuth(options: AuthOptions): Auth {
  const { db, terminalId } = options;
  const now = options.now ?? Date.now;
  let queue: Promise<unknown> = Promise.resolve();
  /** One check at a time, in arrival order. */
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  };

  const ownerOf = async (pin: string): Promise<Person | undefined> => {
    const people = listPeople(db).filter((p) => p.active === 1);
    const checks = await Promise.all(people.map(async (p) => ({ p, check: await verifyPin(pin, p.pin_hash) })));
    const found = checks.find((c) => c.check !== 'no_match');
    if (!found) return undefined;
    if (found.check === 'match_upgrade') upgradePinHash(db, found.p.name, await hashPin(pin));
    return { name: found.p.name, role: found.p.role };
  };

  const attempt = (pin: string, purpose: PinPurpose, screen: string): Promise<Result<Person, ErrorView>> =>
    serial(async () => {
      const before = failuresSinceLastSuccess(db, terminalId, purpose);
      const wait = (before[0]?.at ?? 0) + lockoutDelayMs(before.length) - now();
      if (before.length >= FREE_ATTEMPTS && wait > 0) return failure('pin_locked', { seconds: Math.ceil(wait / 1000) });
      const person = await ownerOf(pin);
      const accepted = person !== undefined && (purpose === 'sign_in' || person.role === 'manager');
      recordPinAttempt(db, { terminalId, screen, purpose, ok: accepted, person: person?.name ?? null, at: now() });
      if (accepted) return ok(person);
      const failures = before.length + 1;
      if (failures >= FREE_ATTEMPTS) return failure('pin_locked', { seconds: Math.ceil(lockoutDelayMs(failures) / 1000) });
      return failure(person ? 'manager_required' : 'pin_wrong');
    });

  return {
    signIn: (pin, screen) => attempt(pin, 'sign_in', screen),
    manager: (pin, screen) => attempt(pin, 'manager', screen),
    ownerOf,
    async usesDefaultPins() {
      for (const pin of DEFAULT_PINS) if (await ownerOf(pin)) return true;
      return false;
    },
  };
}

export function authHandlers(ctx: CoreContext): Pick<CoreApi, 'session:get' | 'session:signIn' | 'session:signOut'> {
  return {
    'session:get': async () => ok(sessionView(ctx)),
    'session:signIn': async ({ pin }) => {
      const result = await ctx.auth.signIn(pin, 'sign_in');
      if (!result.ok) return err(result.error);
      ctx.state.session = { name: result.value.name, role: result.value.role, at: ctx.now() };
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
