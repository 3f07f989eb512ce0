import type { Migration } from './index.ts';

/** The redemption journal, its tamper-evident event chain, and the local caches. */
export const migration0001: Migration = {
  version: 1,
  name: 'initial',
  up: `
    CREATE TABLE redemptions (
      id TEXT PRIMARY KEY,
      terminal_id TEXT NOT NULL,
      cashier TEXT NOT NULL,
      scanned_code TEXT NOT NULL,
      code_kind TEXT NOT NULL,
      scanned_at INTEGER NOT NULL,
      real_code TEXT,
      card_id TEXT,
      card_title TEXT,
      sub_card_type TEXT,
      amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
      balance_before_fen INTEGER CHECK (balance_before_fen >= 0),
      target_balance_fen INTEGER CHECK (target_balance_fen >= 0),
      balance_after_fen INTEGER CHECK (balance_after_fen >= 0),
      state TEXT NOT NULL,
      reason TEXT,
      detail TEXT,
      offline INTEGER NOT NULL DEFAULT 0,
      attempts INTEGER NOT NULL DEFAULT 0,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    );
    CREATE INDEX redemptions_created ON redemptions (created_at);
    CREATE INDEX redemptions_state ON redemptions (state);
    CREATE INDEX redemptions_real_code ON redemptions (real_code);

    CREATE TABLE events (
      seq INTEGER PRIMARY KEY,
      at INTEGER NOT NULL,
      redemption_id TEXT,
      kind TEXT NOT NULL,
      data TEXT NOT NULL,
      prev_hash TEXT NOT NULL,
      hash TEXT NOT NULL
    );
    CREATE INDEX events_redemption ON events (redemption_id);

    -- Every dynamic code ever presented: a second presentation is a replay (screenshot).
    CREATE TABLE dynamic_codes (
      dynamic_code TEXT PRIMARY KEY,
      real_code TEXT,
      card_id TEXT,
      first_seen_at INTEGER NOT NULL,
      redemption_id TEXT
    );

    -- Card definitions from card/get: they change rarely.
    CREATE TABLE card_definitions (
      card_id TEXT PRIMARY KEY,
      data TEXT NOT NULL,
      fetched_at INTEGER NOT NULL
    );

    -- What the terminal last saw of each card online: the offline rules decide on it.
    CREATE TABLE card_cache (
      real_code TEXT PRIMARY KEY,
      card_id TEXT NOT NULL,
      sub_card_type TEXT,
      balance_fen INTEGER,
      user_card_status TEXT,
      end_time INTEGER,
      use_dynamic_code INTEGER NOT NULL DEFAULT 0,
      seen_at INTEGER NOT NULL
    );

    CREATE TABLE secrets (
      name TEXT PRIMARY KEY,
      value TEXT NOT NULL,
      updated_at INTEGER NOT NULL
    );
  `,
};
