/**
 * The hub's PostgreSQL schema, in numbered migrations applied at start in a table of their own
 * (`hub_schema_migrations`). Hub processes starting together serialise on an advisory lock; a
 * database migrated by newer code is refused rather than written with an older idea of it.
 */
import type pg from 'pg';

export type HubMigration = Readonly<{ version: number; name: string; sql: string }>;

export const HUB_MIGRATIONS: readonly HubMigration[] = [
  {
    version: 1,
    name: 'terminals, leases, claims, tokens, journals',
    sql: `
      CREATE TABLE hub_terminals (
        id TEXT PRIMARY KEY,
        store_id TEXT NOT NULL DEFAULT 'default',
        public_key TEXT,
        enrolled_at TIMESTAMPTZ,
        revoked_at TIMESTAMPTZ,
        last_seen_at TIMESTAMPTZ,
        version TEXT,
        queue_depth INTEGER NOT NULL DEFAULT 0,
        exposure_fen BIGINT NOT NULL DEFAULT 0,
        online BOOLEAN,
        head_seq BIGINT NOT NULL DEFAULT 0,
        head_hash TEXT NOT NULL DEFAULT '${'0'.repeat(64)}',
        journal_problem TEXT
      );
      -- One-time enrolment codes: only their SHA-256 is kept.
      CREATE TABLE hub_enrolments (
        code_hash TEXT PRIMARY KEY,
        terminal_id TEXT NOT NULL REFERENCES hub_terminals (id),
        expires_at TIMESTAMPTZ NOT NULL,
        used_at TIMESTAMPTZ
      );
      -- Nonces of signed requests inside the clock window: a replay is refused by any hub process.
      CREATE TABLE hub_nonces (
        terminal_id TEXT NOT NULL,
        nonce TEXT NOT NULL,
        seen_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (terminal_id, nonce)
      );
      CREATE INDEX hub_nonces_seen ON hub_nonces (seen_at);
      CREATE SEQUENCE hub_fence;
      -- The current lease of each card (one row per real code, ever).
      CREATE TABLE hub_leases (
        card_key TEXT PRIMARY KEY,
        fence BIGINT NOT NULL,
        terminal_id TEXT NOT NULL,
        redemption_id TEXT NOT NULL,
        purpose TEXT NOT NULL,
        acquired_at TIMESTAMPTZ NOT NULL,
        expires_at TIMESTAMPTZ NOT NULL,
        released BOOLEAN NOT NULL DEFAULT false
      );
      -- Every lease ever granted, with what its holder saw and set (resolving an interrupted write).
      CREATE TABLE hub_lease_log (
        fence BIGINT PRIMARY KEY,
        card_key TEXT NOT NULL,
        terminal_id TEXT NOT NULL,
        redemption_id TEXT NOT NULL,
        purpose TEXT NOT NULL,
        acquired_at TIMESTAMPTZ NOT NULL,
        released_at TIMESTAMPTZ,
        balance_before_fen BIGINT,
        balance_set_fen BIGINT,
        waited_ms INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX hub_lease_log_card ON hub_lease_log (card_key, fence);
      -- Counters waiting for a card, oldest first: a newcomer never overtakes a waiter (no starvation).
      CREATE TABLE hub_lease_queue (
        ticket BIGSERIAL PRIMARY KEY,
        card_key TEXT NOT NULL,
        redemption_id TEXT NOT NULL,
        heartbeat_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      CREATE INDEX hub_lease_queue_card ON hub_lease_queue (card_key, ticket);
      CREATE TABLE hub_dynamic_claims (
        code TEXT PRIMARY KEY,
        terminal_id TEXT NOT NULL,
        redemption_id TEXT NOT NULL,
        claimed_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      -- The one access token of the chain (id 1) and the component refresh token, if any.
      CREATE TABLE hub_tokens (
        id INTEGER PRIMARY KEY,
        token TEXT,
        expires_at TIMESTAMPTZ,
        refused BOOLEAN NOT NULL DEFAULT false,
        fetched_at TIMESTAMPTZ,
        fetches INTEGER NOT NULL DEFAULT 0,
        refresh_token TEXT
      );
      INSERT INTO hub_tokens (id) VALUES (1);
      CREATE TABLE hub_events (
        terminal_id TEXT NOT NULL,
        seq BIGINT NOT NULL,
        at BIGINT NOT NULL,
        redemption_id TEXT,
        kind TEXT NOT NULL,
        data TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL,
        PRIMARY KEY (terminal_id, seq)
      );
      CREATE TABLE hub_redemptions (
        terminal_id TEXT NOT NULL,
        id TEXT NOT NULL,
        store_id TEXT NOT NULL,
        state TEXT NOT NULL,
        cashier TEXT NOT NULL,
        real_code TEXT,
        card_id TEXT,
        amount_fen BIGINT NOT NULL,
        balance_before_fen BIGINT,
        balance_after_fen BIGINT,
        reason TEXT,
        offline BOOLEAN NOT NULL,
        shortfall_fen BIGINT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        local_date TEXT NOT NULL,
        PRIMARY KEY (terminal_id, id)
      );
      CREATE INDEX hub_redemptions_day ON hub_redemptions (local_date, store_id);
      -- Refused requests: who (as claimed), why, when. A trace, never a state change.
      CREATE TABLE hub_audit (
        id BIGSERIAL PRIMARY KEY,
        at TIMESTAMPTZ NOT NULL DEFAULT now(),
        terminal_id TEXT,
        path TEXT,
        error TEXT NOT NULL,
        detail TEXT
      );
    `,
  },
];

export const HUB_SCHEMA_VERSION = Math.max(...HUB_MIGRATIONS.map((m) => m.version));

export class HubSchemaTooNewError extends Error {
  constructor(found: number) {
    super(`the hub database is at schema version ${found}, newer than this gcterm (${HUB_SCHEMA_VERSION}): upgrade gcterm`);
    this.name = 'HubSchemaTooNewError';
  }
}

/** Arbitrary constant for pg_advisory_xact_lock: "migrating the gcterm hub schema". */
const MIGRATION_LOCK = 0x6763746d;

export async function migrateHub(pool: pg.Pool, migrations: readonly HubMigration[] = HUB_MIGRATIONS): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS hub_schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
    const { rows } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM hub_schema_migrations');
    const current = rows[0]?.v ?? 0;
    const latest = Math.max(0, ...migrations.map((m) => m.version));
    if (current > latest) throw new HubSchemaTooNewError(current);
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (migration.version <= current) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO hub_schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
    }
    await client.query('COMMIT');
    return latest;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
