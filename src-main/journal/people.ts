/**
 * People (cashiers and managers) and PIN attempts, as synchronous queries on the journal. Every
 * change to a person is journaled in the same transaction as an event naming who did it and what
 * changed — never a PIN or its hash.
 */
import { appendEvent } from './events.ts';
import { inTransaction, stmt, type Db } from './db.ts';

export type PersonRole = 'cashier' | 'manager';

export type PersonRow = Readonly<{
  id: number;
  name: string;
  role: PersonRole;
  pin_hash: string;
  active: 0 | 1;
  created_at: number;
  updated_at: number;
}>;

export type PinAttemptRow = Readonly<{
  id: number;
  at: number;
  terminal_id: string;
  screen: string;
  purpose: 'sign_in' | 'manager';
  ok: 0 | 1;
  person: string | null;
}>;

export function listPeople(db: Db): PersonRow[] {
  return stmt(db, 'SELECT * FROM people ORDER BY role DESC, id').all() as PersonRow[];
}

export function getPersonByName(db: Db, name: string): PersonRow | undefined {
  return stmt(db, 'SELECT * FROM people WHERE name = ?').get(name) as PersonRow | undefined;
}

export function countActiveManagers(db: Db): number {
  return (stmt(db, "SELECT count(*) AS n FROM people WHERE role = 'manager' AND active = 1").get() as { n: number }).n;
}

/** Seeds the first people once (fresh install or people from an older settings.json). */
export function seedPeople(db: Db, people: ReadonlyArray<Readonly<{ name: string; role: PersonRole; pinHash: string }>>, at: number = Date.now()): boolean {
  return inTransaction(db, () => {
    if ((stmt(db, 'SELECT count(*) AS n FROM people').get() as { n: number }).n > 0) return false;
    for (const p of people) {
      stmt(db, 'INSERT INTO people (name, role, pin_hash, active, created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?)').run(p.name, p.role, p.pinHash, at, at);
    }
    appendEvent(db, { redemptionId: null, kind: 'people.seeded', data: { names: people.map((p) => p.name) }, at });
    return true;
  });
}

export type PersonChange =
  | Readonly<{ kind: 'add'; name: string; role: PersonRole; pinHash: string }>
  | Readonly<{ kind: 'rename'; name: string; to: string }>
  | Readonly<{ kind: 'role'; name: string; role: PersonRole }>
  | Readonly<{ kind: 'active'; name: string; active: boolean }>
  | Readonly<{ kind: 'pin'; name: string; pinHash: string; reset: boolean }>;

/** Applies one change and journals it, by `actor` on `terminalId`. Checks are the caller's. */
export function changePerson(db: Db, change: PersonChange, actor: string, terminalId: string, at: number = Date.now()): void {
  inTransaction(db, () => {
    switch (change.kind) {
      case 'add':
        stmt(db, 'INSERT INTO people (name, role, pin_hash, active, created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?)').run(change.name, change.role, change.pinHash, at, at);
        appendEvent(db, { redemptionId: null, kind: 'people.added', data: { by: actor, terminal: terminalId, name: change.name, role: change.role }, at });
        return;
      case 'rename':
        stmt(db, 'UPDATE people SET name = ?, updated_at = ? WHERE name = ?').run(change.to, at, change.name);
        appendEvent(db, { redemptionId: null, kind: 'people.renamed', data: { by: actor, terminal: terminalId, name: change.name, to: change.to }, at });
        return;
      case 'role':
        stmt(db, 'UPDATE people SET role = ?, updated_at = ? WHERE name = ?').run(change.role, at, change.name);
        appendEvent(db, { redemptionId: null, kind: 'people.role', data: { by: actor, terminal: terminalId, name: change.name, role: change.role }, at });
        return;
      case 'active':
        stmt(db, 'UPDATE people SET active = ?, updated_at = ? WHERE name = ?').run(change.active ? 1 : 0, at, change.name);
        appendEvent(db, { redemptionId: null, kind: change.active ? 'people.enabled' : 'people.disabled', data: { by: actor, terminal: terminalId, name: change.name }, at });
        return;
      case 'pin':
        stmt(db, 'UPDATE people SET pin_hash = ?, updated_at = ? WHERE name = ?').run(change.pinHash, at, change.name);
        appendEvent(db, { redemptionId: null, kind: change.reset ? 'people.pin_reset' : 'people.pin_changed', data: { by: actor, terminal: terminalId, name: change.name }, at });
        return;
    }
  });
}

/** A stored hash upgraded to the current scheme after a successful check: not a change of PIN. */
export function upgradePinHash(db: Db, name: string, pinHash: string): void {
  stmt(db, 'UPDATE people SET pin_hash = ? WHERE name = ?').run(pinHash, name);
}

/** Records one PIN attempt; a failure is also journaled in the event chain. */
export function recordPinAttempt(
  db: Db,
  attempt: Readonly<{ terminalId: string; screen: string; purpose: 'sign_in' | 'manager'; ok: boolean; person: string | null; at?: number }>,
): void {
  const at = attempt.at ?? Date.now();
  inTransaction(db, () => {
    stmt(db, 'INSERT INTO pin_attempts (at, terminal_id, screen, purpose, ok, person) VALUES (?, ?, ?, ?, ?, ?)').run(
      at,
      attempt.terminalId,
      attempt.screen,
      attempt.purpose,
      attempt.ok ? 1 : 0,
      attempt.person,
    );
    if (!attempt.ok) {
      appendEvent(db, { redemptionId: null, kind: 'auth.pin_failed', data: { terminal: attempt.terminalId, screen: attempt.screen, purpose: attempt.purpose }, at });
    }
  });
}

/**
 * Failures of one purpose on this terminal since its last success of that purpose, newest first.
 * Per purpose: a cashier signing in with their own PIN does not reset their guesses at the
 * manager's PIN.
 */
export function failuresSinceLastSuccess(db: Db, terminalId: string, purpose: 'sign_in' | 'manager'): PinAttemptRow[] {
  return stmt(
    db,
    `SELECT * FROM pin_attempts
      WHERE terminal_id = ? AND purpose = ? AND ok = 0
        AND id > coalesce((SELECT max(id) FROM pin_attempts WHERE terminal_id = ? AND purpose = ? AND ok = 1), 0)
      ORDER BY id DESC`,
  ).all(terminalId, purpose, terminalId, purpose) as PinAttemptRow[];
}

/** Failed attempts between two instants (end of day), oldest first. */
export function listPinFailures(db: Db, fromMs: number, toMs: number): PinAttemptRow[] {
  return stmt(db, 'SELECT * FROM pin_attempts WHERE ok = 0 AND at >= ? AND at < ? ORDER BY at, id').all(fromMs, toMs) as PinAttemptRow[];
}
