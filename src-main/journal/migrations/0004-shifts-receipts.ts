import type { Migration } from './index.ts';

/**
 * Issue 13: cashiers' shifts (opened at sign-in, closed with a handover report), the day's
 * Z-reports with their running number (the report as it was taken, kept so a reprint is the same
 * paper), and every receipt sent to a printer (what, where, and what the printer said).
 * Opening and closing a shift and taking a Z-report are also events in the hash chain.
 */
export const migration0004: Migration = {
  version: 4,
  name: 'shifts-receipts',
  up: `
    CREATE TABLE shifts (
      id INTEGER PRIMARY KEY,
      terminal_id TEXT NOT NULL,
      cashier TEXT NOT NULL,
      opened_at INTEGER NOT NULL,
      closed_at INTEGER,
      closed_by TEXT
    );
    CREATE INDEX shifts_open ON shifts (terminal_id, cashier, closed_at);
    CREATE INDEX shifts_opened ON shifts (opened_at);

    CREATE TABLE z_reports (
      z_number INTEGER PRIMARY KEY,
      terminal_id TEXT NOT NULL,
      business_date TEXT NOT NULL,
      taken_at INTEGER NOT NULL,
      taken_by TEXT NOT NULL,
      data TEXT NOT NULL,
      UNIQUE (terminal_id, business_date)
    );

    CREATE TABLE receipts (
      id INTEGER PRIMARY KEY,
      redemption_id TEXT,
      kind TEXT NOT NULL,
      reprint INTEGER NOT NULL DEFAULT 0,
      printer TEXT NOT NULL,
      outcome TEXT NOT NULL,
      printed_at INTEGER NOT NULL
    );
    CREATE INDEX receipts_redemption ON receipts (redemption_id);
  `,
};
