import type { Migration } from './index.ts';

/**
 * People and PIN attempts (issue 11):
 * - `people`: cashiers and managers with their PIN hash (scrypt; older PBKDF2 hashes from
 *   settings.json are imported as they are and upgraded at their next successful use). Who
 *   changed what is in the event log (kinds `people.*`), never a PIN.
 * - `pin_attempts`: every PIN tried at sign-in or for a manager's approval, with the terminal and
 *   screen; consecutive failures since the last success drive the lockout delay, and the
 *   failures are listed to the manager at end of day.
 */
export const migration0003: Migration = {
  version: 3,
  name: 'people',
  up: `
    CREATE TABLE people (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      role TEXT NOT NULL CHECK (role IN ('cashier', 'manager')),
      pin_hash TEXT NOT NULL,
      active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    );

    CREATE TABLE pin_attempts (
      id INTEGER PRIMARY KEY,
      at INTEGER NOT NULL,
      terminal_id TEXT NOT NULL,
      screen TEXT NOT NULL,
      purpose TEXT NOT NULL CHECK (purpose IN ('sign_in', 'manager')),
      ok INTEGER NOT NULL CHECK (ok IN (0, 1)),
      person TEXT
    );
    CREATE INDEX pin_attempts_terminal ON pin_attempts (terminal_id, id);
    CREATE INDEX pin_attempts_at ON pin_attempts (at);
  `,
};
