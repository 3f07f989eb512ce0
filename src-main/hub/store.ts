/**
 * Everything the hub knows, in PostgreSQL: the hub process itself keeps no state a second process
 * would need (docs/hub.md argues the mechanisms). Each operation is one statement or one short
 * transaction; the statements that decide (lease grant, nonce, claim) are single atomic
 * `INSERT … ON CONFLICT` statements, so two hub processes on one database cannot both win.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { KeyObject } from 'node:crypto';
import { publicKeyOf } from './protocol.ts';
import type { JournalPush, LeaseHistory } from './protocol.ts';

export const ENROLMENT_VALID_MS = 15 * 60_000;
/** Nonces are kept a little longer than the skew window on either side. */
const NONCE_KEEP = '11 minutes';
/** A waiter that has not polled for this long has gone (its hub process died): it no longer blocks newcomers. */
const WAITER_STALE = '3 seconds';
export const LEASE_CHANNEL = 'gcterm_hub_lease';
const NO_TICKET = '9223372036854775807';

export type HubPool = pg.Pool;

/**
 * `relaxed`: a pool whose commits do not wait for the disk (synchronous_commit = off), for what a
 * database crash may lose without harm — nonces (a lost one reopens a replay window only for
 * requests already executed once, all fenced), releases (a lost release only lets the lease run
 * to its TTL), waiting tickets, journal pushes (the counter resends from the hub's head), the
 * audit trail. Grants, renewals and observations always wait for the disk.
 */
export function openHubPool(url: string, max = 20, relaxed = false): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, application_name: 'gcterm-hub', ...(relaxed ? { options: '-c synchronous_commit=off' } : {}) });
  // An idle client losing its server (PostgreSQL restarted) must not crash the hub.
  pool.on('error', () => undefined);
  return pool;
}

export type AuthOutcome = 'ok' | 'unknown' | 'revoked' | 'replayed';

export type Acquired = Readonly<{
  fence: number;
  previous: Readonly<{ fence: number; terminalId: string; redemptionId: string; balanceBeforeFen: number | null; balanceSetFen: number | null }> | null;
}>;

const num = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

function eventHash(prevHash: string, seq: number, at: number, redemptionId: string | null, kind: string, data: string): string {
  // The same formula as the counter's journal (src-main/journal/events.ts).
  return createHash('sha256').update(`${prevHash}\n${seq}\n${at}\n${redemptionId ?? ''}\n${kind}\n${data}`).digest('hex');
}

export class HubStore {
  readonly pool: pg.Pool;
  private readonly relaxed: pg.Pool;
  private readonly keys = new Map<string, Readonly<{ pem: string; key: KeyObject }>>();

  constructor(pool: pg.Pool, relaxed: pg.Pool = pool) {
    this.pool = pool;
    this.relaxed = relaxed;
  }

  // ---- enrolment and authentication ----

  /** Creates (or re-arms) a terminal and answers a one-time code; only its hash is stored. */
  async createEnrolment(terminalId: string, storeId: string | null, codeHash: string, validMs = ENROLMENT_VALID_MS): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO hub_terminals (id, store_id) VALUES ($1, coalesce($2, 'default'))
         ON CONFLICT (id) DO UPDATE SET store_id = coalesce($2, hub_terminals.store_id)`,
        [terminalId, storeId],
      );
      await client.query(`INSERT INTO hub_enrolments (code_hash, terminal_id, expires_at) VALUES ($1, $2, now() + $3 * interval '1 millisecond')`, [
        codeHash,
        terminalId,
        validMs,
      ]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Uses a code once: the terminal's public key is stored and any revocation lifted. */
  async completeEnrolment(codeHash: string, publicKeyPem: string, version: string | null): Promise<{ terminalId: string; storeId: string } | null> {
    const { rows } = await this.pool.query<{ id: string; store_id: string }>(
      `WITH used AS (
         UPDATE hub_enrolments SET used_at = now()
         WHERE code_hash = $1 AND used_at IS NULL AND expires_at > now()
         RETURNING terminal_id)
       UPDATE hub_terminals t SET public_key = $2, enrolled_at = now(), revoked_at = NULL, version = $3
       FROM used WHERE t.id = used.terminal_id
       RETURNING t.id, t.store_id`,
      [codeHash, publicKeyPem, version],
    );
    const row = rows[0];
    if (!row) return null;
    this.keys.delete(row.id);
    return { terminalId: row.id, storeId: row.store_id };
  }

  async revoke(terminalId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('UPDATE hub_terminals SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [terminalId]);
    return (rowCount ?? 0) > 0;
  }

  /** The terminal's public key (cached: keys change only by a new enrolment, which `reload` picks up). */
  async publicKey(terminalId: string, reload = false): Promise<KeyObject | null> {
    const cached = this.keys.get(terminalId);
    if (cached && !reload) return cached.key;
    const { rows } = await this.pool.query<{ public_key: string | null }>('SELECT public_key FROM hub_terminals WHERE id = $1', [terminalId]);
    const pem = rows[0]?.public_key;
    if (!pem) {
      this.keys.delete(terminalId);
      return null;
    }
    if (cached?.pem === pem) return cached.key;
    const key = publicKeyOf(pem);
    this.keys.set(terminalId, { pem, key });
    return key;
  }

  /**
   * After the signature checked out: one statement remembers the nonce only if the terminal is
   * still enrolled and not revoked. Revocation therefore takes effect on the very next request.
   */
  async admit(terminalId: string, nonce: string): Promise<AuthOutcome> {
    const { rowCount } = await this.relaxed.query(
      `INSERT INTO hub_nonces (terminal_id, nonce)
       SELECT id, $2 FROM hub_terminals WHERE id = $1 AND revoked_at IS NULL AND public_key IS NOT NULL
       ON CONFLICT DO NOTHING`,
      [terminalId, nonce],
    );
    if ((rowCount ?? 0) > 0) return 'ok';
    const { rows } = await this.pool.query<{ revoked: boolean }>('SELECT revoked_at IS NOT NULL AS revoked FROM hub_terminals WHERE id = $1', [terminalId]);
    if (!rows[0]) return 'unknown';
    return rows[0].revoked ? 'revoked' : 'replayed';
  }

  async audit(terminalId: string | null, path: string | null, error: string, detail: string | null): Promise<void> {
    await this.relaxed
      .query('INSERT INTO hub_audit (terminal_id, path, error, detail) VALUES ($1, $2, $3, $4)', [terminalId?.slice(0, 128) ?? null, path?.slice(0, 256) ?? null, error, detail?.slice(0, 500) ?? null])
      .catch(() => undefined);
  }

  async purgeNonces(): Promise<void> {
    await this.pool.query(`DELETE FROM hub_nonces WHERE seen_at < now() - interval '${NONCE_KEEP}'`);
    await this.pool.query(`DELETE FROM hub_lease_queue WHERE heartbeat_at < now() - interval '1 minute'`);
  }

  // ---- leases ----

  /**
   * One atomic statement: grant the lease when the card is free (no row, released, expired, or
   * held by this very redemption) and no older waiter is queued for it; log the grant; and answer
   * the previous lease when it ended without a release (its holder was interrupted).
   */
  async tryAcquire(
    terminalId: string,
    request: Readonly<{ key: string; redemptionId: string; purpose: string; ttlMs: number }>,
    ticket: string | null,
    waitedMs: number,
  ): Promise<Acquired | null> {
    const { rows } = await this.pool.query<{
      fence: string | null;
      p_fence: string | null;
      p_terminal: string | null;
      p_redemption: string | null;
      p_before: string | null;
      p_set: string | null;
    }>(
      `WITH granted AS (
         INSERT INTO hub_leases AS l (card_key, fence, terminal_id, redemption_id, purpose, acquired_at, expires_at, released)
         SELECT $1, nextval('hub_fence'), $2, $3, $4, now(), now() + $5 * interval '1 millisecond', false
         WHERE NOT EXISTS (
             SELECT 1 FROM hub_lease_queue q
             WHERE q.card_key = $1 AND q.ticket < $6::bigint AND q.heartbeat_at > now() - interval '${WAITER_STALE}')
           OR EXISTS (SELECT 1 FROM hub_leases h WHERE h.card_key = $1 AND h.terminal_id = $2 AND h.redemption_id = $3 AND NOT h.released)
         ON CONFLICT (card_key) DO UPDATE SET
           fence = EXCLUDED.fence, terminal_id = EXCLUDED.terminal_id, redemption_id = EXCLUDED.redemption_id,
           purpose = EXCLUDED.purpose, acquired_at = EXCLUDED.acquired_at, expires_at = EXCLUDED.expires_at, released = false
         WHERE l.released OR l.expires_at <= now() OR (l.terminal_id = EXCLUDED.terminal_id AND l.redemption_id = EXCLUDED.redemption_id)
         RETURNING fence, card_key, terminal_id, redemption_id, purpose, acquired_at),
       logged AS (
         INSERT INTO hub_lease_log (fence, card_key, terminal_id, redemption_id, purpose, acquired_at, waited_ms)
         SELECT fence, card_key, terminal_id, redemption_id, purpose, acquired_at, $7 FROM granted RETURNING fence),
       previous AS (
         SELECT * FROM (SELECT * FROM hub_lease_log WHERE card_key = $1 ORDER BY fence DESC LIMIT 1) last
         WHERE last.released_at IS NULL)
       SELECT (SELECT fence FROM logged) AS fence, p.fence AS p_fence, p.terminal_id AS p_terminal, p.redemption_id AS p_redemption,
              p.balance_before_fen AS p_before, p.balance_set_fen AS p_set
       FROM (SELECT 1) one LEFT JOIN previous p ON true`,
      [request.key, terminalId, request.redemptionId, request.purpose, request.ttlMs, ticket ?? NO_TICKET, Math.round(waitedMs)],
    );
    const row = rows[0];
    if (!row || row.fence === null) return null;
    const previous =
      row.p_fence !== null && row.p_terminal !== null && row.p_redemption !== null
        ? { fence: Number(row.p_fence), terminalId: row.p_terminal, redemptionId: row.p_redemption, balanceBeforeFen: num(row.p_before), balanceSetFen: num(row.p_set) }
        : null;
    return { fence: Number(row.fence), previous };
  }

  async holder(key: string): Promise<string | null> {
    const { rows } = await this.pool.query<{ terminal_id: string }>('SELECT terminal_id FROM hub_leases WHERE card_key = $1 AND NOT released AND expires_at > now()', [key]);
    return rows[0]?.terminal_id ?? null;
  }

  async enqueue(key: string, redemptionId: string): Promise<string> {
    const { rows } = await this.relaxed.query<{ ticket: string }>('INSERT INTO hub_lease_queue (card_key, redemption_id) VALUES ($1, $2) RETURNING ticket', [key, redemptionId]);
    return rows[0]?.ticket ?? NO_TICKET;
  }

  async heartbeat(ticket: string): Promise<void> {
    await this.relaxed.query('UPDATE hub_lease_queue SET heartbeat_at = now() WHERE ticket = $1', [ticket]);
  }

  async dequeue(ticket: string): Promise<void> {
    await this.relaxed.query('DELETE FROM hub_lease_queue WHERE ticket = $1', [ticket]);
  }

  /** Extends a lease this terminal still holds under this fence; null when it is stale. */
  async renew(terminalId: string, key: string, fence: number, ttlMs: number): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE hub_leases SET expires_at = now() + $4 * interval '1 millisecond'
       WHERE card_key = $1 AND fence = $2 AND terminal_id = $3 AND NOT released AND expires_at > now()`,
      [key, fence, terminalId, ttlMs],
    );
    return (rowCount ?? 0) > 0;
  }

  async observe(terminalId: string, key: string, fence: number, balanceBeforeFen: number | null, balanceSetFen: number | null | undefined): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE hub_lease_log SET balance_before_fen = $4, balance_set_fen = CASE WHEN $6 THEN $5::bigint ELSE balance_set_fen END
       WHERE fence = $2 AND EXISTS (
         SELECT 1 FROM hub_leases WHERE card_key = $1 AND fence = $2 AND terminal_id = $3 AND NOT released AND expires_at > now())`,
      [key, fence, terminalId, balanceBeforeFen, balanceSetFen ?? null, balanceSetFen !== undefined],
    );
    return (rowCount ?? 0) > 0;
  }

  /** Ends a lease (idempotent). Waiters at every hub process are woken through NOTIFY. */
  async release(terminalId: string, key: string, fence: number): Promise<boolean> {
    const { rows } = await this.relaxed.query<{ released: string }>(
      `WITH r AS (UPDATE hub_leases SET released = true WHERE card_key = $1 AND fence = $2 AND terminal_id = $3 AND NOT released RETURNING 1),
            l AS (UPDATE hub_lease_log SET released_at = now() WHERE fence = $2 AND card_key = $1 AND terminal_id = $3 AND released_at IS NULL RETURNING 1)
       SELECT (SELECT count(*) FROM r) + (SELECT count(*) FROM l) AS released, pg_notify('${LEASE_CHANNEL}', $1)`,
      [key, fence, terminalId],
    );
    return Number(rows[0]?.released ?? 0) > 0;
  }

  /**
   * What the hub knows of a redemption's last lease on a card and of the holder after it: when
   * the next holder read exactly the balance this one was setting, the write landed; when it read
   * the balance this one saw before, it did not (one writer per card: nobody else wrote between).
   */
  async history(terminalId: string, key: string, redemptionId: string): Promise<LeaseHistory> {
    const { rows } = await this.pool.query<{ fence: string; before: string | null; set: string | null; next: string | null }>(
      `SELECT l.fence, l.balance_before_fen AS before, l.balance_set_fen AS set,
         (SELECT n.balance_before_fen FROM hub_lease_log n
          WHERE n.card_key = l.card_key AND n.fence > l.fence AND n.balance_before_fen IS NOT NULL ORDER BY n.fence LIMIT 1) AS next
       FROM hub_lease_log l
       WHERE l.card_key = $1 AND l.terminal_id = $2 AND l.redemption_id = $3 AND l.balance_set_fen IS NOT NULL
       ORDER BY l.fence DESC LIMIT 1`,
      [key, terminalId, redemptionId],
    );
    const row = rows[0];
    if (!row) return { outcome: 'unknown', fence: null, balanceBeforeFen: null, balanceSetFen: null, nextObservedFen: null };
    const before = num(row.before);
    const set = num(row.set);
    const next = num(row.next);
    const outcome = next === null || set === null ? 'unknown' : next === set ? 'applied' : next === before ? 'not_applied' : 'unknown';
    return { outcome, fence: Number(row.fence), balanceBeforeFen: before, balanceSetFen: set, nextObservedFen: next };
  }

  // ---- dynamic codes ----

  async claimDynamic(terminalId: string, code: string, redemptionId: string): Promise<'claimed' | 'replay'> {
    const { rows } = await this.pool.query<{ terminal_id: string; redemption_id: string }>(
      `WITH ins AS (
         INSERT INTO hub_dynamic_claims (code, terminal_id, redemption_id) VALUES ($1, $2, $3)
         ON CONFLICT (code) DO NOTHING RETURNING terminal_id, redemption_id)
       SELECT terminal_id, redemption_id FROM ins
       UNION ALL SELECT terminal_id, redemption_id FROM hub_dynamic_claims WHERE code = $1 AND NOT EXISTS (SELECT 1 FROM ins)`,
      [code, terminalId, redemptionId],
    );
    const row = rows[0];
    return row && row.terminal_id === terminalId && row.redemption_id === redemptionId ? 'claimed' : 'replay';
  }

  async releaseDynamic(terminalId: string, code: string, redemptionId: string): Promise<void> {
    await this.pool.query('DELETE FROM hub_dynamic_claims WHERE code = $1 AND terminal_id = $2 AND redemption_id = $3', [code, terminalId, redemptionId]);
  }

  // ---- journals ----

  async pushJournal(terminalId: string, push: JournalPush): Promise<{ headSeq: number; accepted: number; problem: string | null }> {
    const client = await this.relaxed.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ head_seq: string; head_hash: string; store_id: string; journal_problem: string | null }>(
        'SELECT head_seq, head_hash, store_id, journal_problem FROM hub_terminals WHERE id = $1 FOR UPDATE',
        [terminalId],
      );
      const terminal = rows[0];
      if (!terminal) throw new Error(`unknown terminal ${terminalId}`);
      let headSeq = Number(terminal.head_seq);
      let headHash = terminal.head_hash;
      let problem: string | null = null;
      let accepted = 0;
      if (push.localHeadSeq < headSeq) problem = `journal lost its tail: the hub holds events up to ${headSeq}, the counter only up to ${push.localHeadSeq}`;
      for (const event of [...push.events].sort((a, b) => a.seq - b.seq)) {
        if (problem) break;
        if (event.seq <= headSeq) continue; // already here (at least once: duplicates are expected)
        if (event.seq !== headSeq + 1) break; // a gap: the counter sends again from headSeq + 1
        if (event.prevHash !== headHash || eventHash(event.prevHash, event.seq, event.at, event.redemptionId, event.kind, event.data) !== event.hash) {
          problem = `journal diverged at event ${event.seq}: it does not continue the hub's copy`;
          break;
        }
        await client.query('INSERT INTO hub_events (terminal_id, seq, at, redemption_id, kind, data, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
          terminalId,
          event.seq,
          event.at,
          event.redemptionId,
          event.kind,
          event.data,
          event.prevHash,
          event.hash,
        ]);
        headSeq = event.seq;
        headHash = event.hash;
        accepted++;
      }
      if (!problem) {
        for (const r of push.redemptions) {
          await client.query(
            `INSERT INTO hub_redemptions AS h (terminal_id, id, store_id, state, cashier, real_code, card_id, amount_fen, balance_before_fen,
               balance_after_fen, reason, offline, shortfall_fen, created_at, updated_at, local_date)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
             ON CONFLICT (terminal_id, id) DO UPDATE SET state = EXCLUDED.state, cashier = EXCLUDED.cashier, real_code = EXCLUDED.real_code,
               card_id = EXCLUDED.card_id, balance_before_fen = EXCLUDED.balance_before_fen, balance_after_fen = EXCLUDED.balance_after_fen,
               reason = EXCLUDED.reason, offline = EXCLUDED.offline, shortfall_fen = EXCLUDED.shortfall_fen, updated_at = EXCLUDED.updated_at
             WHERE h.updated_at <= EXCLUDED.updated_at`,
            [
              terminalId,
              r.id,
              terminal.store_id,
              r.state,
              r.cashier,
              r.realCode,
              r.cardId,
              r.amountFen,
              r.balanceBeforeFen,
              r.balanceAfterFen,
              r.reason,
              r.offline,
              r.shortfallFen ?? null,
              r.createdAt,
              r.updatedAt,
              r.localDate,
            ],
          );
        }
      }
      await client.query(
        `UPDATE hub_terminals SET head_seq = $2, head_hash = $3, last_seen_at = now(), queue_depth = $4, exposure_fen = $5, version = $6, online = $7,
           journal_problem = coalesce($8, journal_problem)
         WHERE id = $1`,
        [terminalId, headSeq, headHash, push.status.queueDepth, push.status.exposureFen, push.status.version, push.status.online, problem],
      );
      await client.query('COMMIT');
      return { headSeq, accepted, problem };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async journalHead(terminalId: string): Promise<number> {
    const { rows } = await this.pool.query<{ head_seq: string }>('SELECT head_seq FROM hub_terminals WHERE id = $1', [terminalId]);
    return Number(rows[0]?.head_seq ?? 0);
  }

  // ---- tokens: see tokens.ts ----
}

export type TerminalListRow = Readonly<{
  terminalId: string;
  storeId: string;
  enrolled: boolean;
  revoked: boolean;
  lastSeenAt: string | null;
  queueDepth: number;
  exposureFen: number;
  version: string | null;
  online: boolean | null;
  headSeq: number;
  journalProblem: string | null;
}>;

export async function listTerminals(pool: pg.Pool, storeId?: string): Promise<TerminalListRow[]> {
  const { rows } = await pool.query<Record<string, unknown>>(
    `SELECT id, store_id, public_key IS NOT NULL AS enrolled, revoked_at IS NOT NULL AS revoked, last_seen_at, queue_depth, exposure_fen, version, online, head_seq, journal_problem
     FROM hub_terminals WHERE $1::text IS NULL OR store_id = $1 ORDER BY store_id, id`,
    [storeId ?? null],
  );
  return rows.map((r) => ({
    terminalId: String(r.id),
    storeId: String(r.store_id),
    enrolled: Boolean(r.enrolled),
    revoked: Boolean(r.revoked),
    lastSeenAt: r.last_seen_at ? (r.last_seen_at as Date).toISOString() : null,
    queueDepth: Number(r.queue_depth),
    exposureFen: Number(r.exposure_fen),
    version: (r.version as string | null) ?? null,
    online: (r.online as boolean | null) ?? null,
    headSeq: Number(r.head_seq),
    journalProblem: (r.journal_problem as string | null) ?? null,
  }));
}

export type ReportRow = Readonly<{
  storeId: string;
  terminalId: string;
  cashier: string;
  state: string;
  offline: boolean;
  count: number;
  amountFen: number;
  shortfallFen: number;
}>;

/** The day's redemptions grouped by store, terminal, cashier, state and online/offline. */
export async function dayReport(pool: pg.Pool, date: string, storeId?: string): Promise<ReportRow[]> {
  const { rows } = await pool.query<Record<string, unknown>>(
    `SELECT store_id, terminal_id, cashier, state, offline, count(*) AS n, coalesce(sum(amount_fen), 0) AS amount, coalesce(sum(shortfall_fen), 0) AS shortfall
     FROM hub_redemptions WHERE local_date = $1 AND ($2::text IS NULL OR store_id = $2)
     GROUP BY store_id, terminal_id, cashier, state, offline ORDER BY store_id, terminal_id, cashier, state, offline`,
    [date, storeId ?? null],
  );
  return rows.map((r) => ({
    storeId: String(r.store_id),
    terminalId: String(r.terminal_id),
    cashier: String(r.cashier),
    state: String(r.state),
    offline: Boolean(r.offline),
    count: Number(r.n),
    amountFen: Number(r.amount),
    shortfallFen: Number(r.shortfall),
  }));
}
