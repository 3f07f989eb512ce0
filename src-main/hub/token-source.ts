/**
 * The chain's one access token, kept in PostgreSQL (row id 1 of hub_tokens).
 *
 * - Requests in one hub process share one in-flight fetch; hub processes share one fetch through
 *   the row lock (`SELECT … FOR UPDATE`): the second process waits, then finds the token the first
 *   stored and fetches nothing.
 * - A token is re-checked with the WeChat provider every CHECK_MS (the provider answers its own
 *   cached token until it really needs a new one), so a counter never holds a token longer than
 *   CHECK_MS past the provider's renewal point (which is 5 minutes before WeChat's expiry).
 * - A counter reporting 40001/40014/42001 marks the token refused only if it is still the
 *   current one: a burst of reports causes one refresh.
 */
import type pg from 'pg';
import { createLogger, maskSecret } from '../log.ts';
import type { TokenProvider } from '../wechat/tokens.ts';

const log = createLogger('hub-tokens');

export const TOKEN_CHECK_MS = 2 * 60_000;

/** What the WeChat provider needs between calls, kept in the database (the rotating component refresh token). */
export type TokenState = { refreshToken: string | null };

export type TokenSource = Readonly<{
  get(): Promise<{ token: string; validForMs: number }>;
  refused(token: string): Promise<boolean>;
  /** WeChat fetches done by this process (the simulator's log counts all of them). */
  fetches(): number;
}>;

export function tokenSource(pool: pg.Pool, provider: TokenProvider, state: TokenState = { refreshToken: null }): TokenSource {
  let inFlight: Promise<{ token: string; validForMs: number }> | null = null;
  let fetched = 0;

  const current = async () => {
    const { rows } = await pool.query<{ token: string | null; remaining_ms: number | null; refused: boolean }>(
      `SELECT token, (extract(epoch FROM expires_at - now()) * 1000)::float8 AS remaining_ms, refused FROM hub_tokens WHERE id = 1`,
    );
    return rows[0];
  };
  const usable = (row: { token: string | null; remaining_ms: number | null; refused: boolean } | undefined) =>
    row?.token && !row.refused && (row.remaining_ms ?? 0) > 1000 ? { token: row.token, validForMs: Math.floor(row.remaining_ms ?? 0) } : null;

  const refresh = async (): Promise<{ token: string; validForMs: number }> => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ token: string | null; remaining_ms: number | null; refused: boolean; refresh_token: string | null }>(
        `SELECT token, (extract(epoch FROM expires_at - now()) * 1000)::float8 AS remaining_ms, refused, refresh_token FROM hub_tokens WHERE id = 1 FOR UPDATE`,
      );
      const row = rows[0];
      const ready = usable(row);
      if (ready) {
        // Another hub process refreshed it while this one waited for the lock.
        await client.query('COMMIT');
        return ready;
      }
      state.refreshToken = row?.refresh_token ?? null;
      fetched++;
      let token = await provider.getToken();
      if (row?.token && row.refused && token === row.token) {
        // Refused by WeChat and still what the provider holds (this process's cache, or the shared
        // stable token): invalidating it makes the provider fetch a new one (force_refresh within
        // WeChat's limits).
        provider.invalidate(token);
        token = await provider.getToken();
      }
      await client.query(
        `UPDATE hub_tokens SET token = $1, expires_at = now() + $2 * interval '1 millisecond', refused = false, fetched_at = now(),
           fetches = fetches + CASE WHEN token IS DISTINCT FROM $1 THEN 1 ELSE 0 END, refresh_token = $3 WHERE id = 1`,
        [token, TOKEN_CHECK_MS, state.refreshToken],
      );
      await client.query('COMMIT');
      if (token !== row?.token) log.info(`new access token ${maskSecret(token)} for the chain`);
      return { token, validForMs: TOKEN_CHECK_MS };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  };

  return {
    async get() {
      const ready = usable(await current());
      if (ready) return ready;
      inFlight ??= refresh().finally(() => {
        inFlight = null;
      });
      return inFlight;
    },
    async refused(token) {
      const { rowCount } = await pool.query('UPDATE hub_tokens SET refused = true WHERE id = 1 AND token = $1 AND NOT refused', [token]);
      if ((rowCount ?? 0) > 0) log.warn(`token ${maskSecret(token)} reported refused by a counter: the next request refreshes it`);
      return (rowCount ?? 0) > 0;
    },
    fetches: () => fetched,
  };
}
