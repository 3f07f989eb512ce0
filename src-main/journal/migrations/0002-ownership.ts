import type { Migration } from './index.ts';

/**
 * One owner per unfinished redemption and one holder per card across the processes that share a
 * data dir (docs/architecture.md, "One writer per card"):
 * - `owners`: every process that drives an engine (app, browser-mode server, a CLI command);
 *   whether it is still alive is told by an OS-held lock file, not by a clock;
 * - `redemption_owners`: who is working on an unfinished redemption (kept beside the row, not
 *   in it: ownership is bookkeeping, not part of the redemption the chain fingerprints);
 * - `card_holds`: who holds a card (by real or scanned code) for a read-then-write.
 * Plus `shortfall_fen`: the part of a sale the card did not cover, collected another way.
 */
export const migration0002: Migration = {
  version: 2,
  name: 'ownership',
  up: `
    CREATE TABLE owners (
      id TEXT PRIMARY KEY,
      pid INTEGER NOT NULL,
      host TEXT NOT NULL,
      label TEXT NOT NULL,
      started_at INTEGER NOT NULL,
      ended_at INTEGER
    );

    CREATE TABLE redemption_owners (
      redemption_id TEXT PRIMARY KEY REFERENCES redemptions (id),
      owner_id TEXT NOT NULL,
      since INTEGER NOT NULL
    );

    CREATE TABLE card_holds (
      card_key TEXT PRIMARY KEY,
      owner_id TEXT NOT NULL,
      redemption_id TEXT NOT NULL,
      purpose TEXT NOT NULL,
      held_at INTEGER NOT NULL
    );

    ALTER TABLE redemptions ADD COLUMN shortfall_fen INTEGER CHECK (shortfall_fen > 0);
  `,
};
