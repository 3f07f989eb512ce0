import type { Migration } from './index.ts';

/**
 * The simulated WeChat account: card definitions, the codes users hold, minted dynamic codes, the
 * history of every balance write and consume, and issued tokens. Times are unix seconds on the
 * simulator's clock.
 */
export const migration0001: Migration = {
  version: 1,
  name: 'initial',
  up: `
    CREATE TABLE cards (
      card_id TEXT PRIMARY KEY,
      sub_card_type TEXT NOT NULL CHECK (sub_card_type IN ('GIFT_CARD', 'VOUCHER')),
      status TEXT NOT NULL,
      title TEXT NOT NULL,
      brand_name TEXT NOT NULL,
      logo_url TEXT NOT NULL,
      use_dynamic_code INTEGER NOT NULL,
      use_custom_code INTEGER NOT NULL,
      use_all_locations INTEGER NOT NULL,
      -- JSON array of WeChat poi ids; empty when use_all_locations
      location_ids TEXT NOT NULL,
      -- NULL: issued by the account itself rather than for a sub-merchant
      merchant_id INTEGER,
      -- NULL begin/end: DATE_TYPE_PERMANENT
      begin_time INTEGER,
      end_time INTEGER,
      created_at INTEGER NOT NULL
    );

    CREATE TABLE codes (
      code TEXT PRIMARY KEY,
      card_id TEXT NOT NULL REFERENCES cards (card_id),
      openid TEXT NOT NULL,
      user_card_status TEXT NOT NULL,
      balance_fen INTEGER NOT NULL CHECK (balance_fen >= 0),
      bonus INTEGER NOT NULL DEFAULT 0,
      order_id TEXT NOT NULL,
      background_pic_url TEXT NOT NULL,
      received_at INTEGER NOT NULL
    );
    CREATE INDEX codes_by_card ON codes (card_id);

    CREATE TABLE dynamic_codes (
      dynamic_code TEXT PRIMARY KEY,
      code TEXT NOT NULL REFERENCES codes (code),
      issued_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL
    );

    CREATE TABLE history (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      code TEXT NOT NULL REFERENCES codes (code),
      at INTEGER NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('updateuser', 'consume')),
      -- the absolute balance written; NULL for consume and for updates without a balance
      balance_fen INTEGER,
      record_balance TEXT
    );
    CREATE INDEX history_by_code ON history (code, id);

    CREATE TABLE tokens (
      token TEXT PRIMARY KEY,
      kind TEXT NOT NULL CHECK (kind IN ('basic', 'stable', 'component', 'authorizer')),
      appid TEXT NOT NULL,
      issued_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      -- set when a newer token superseded this one: it stops working at this time
      invalid_after INTEGER,
      -- stable_token force_refresh issues count against a daily limit
      forced INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX tokens_by_owner ON tokens (kind, appid, issued_at);

    CREATE TABLE refresh_tokens (
      token TEXT PRIMARY KEY,
      authorizer_appid TEXT NOT NULL,
      issued_at INTEGER NOT NULL,
      invalid_after INTEGER
    );
  `,
};
