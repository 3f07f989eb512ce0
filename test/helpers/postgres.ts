/**
 * A throwaway PostgreSQL cluster for one test file (or one bench run): Debian's own binaries
 * (initdb, pg_ctl) in a temp directory, listening on a free loopback port. PostgreSQL refuses to
 * run as root, so when the tests run as root (CI does) the cluster runs as the `postgres` user.
 * No mock database anywhere.
 */
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The newest installed major version's binaries (Debian: /usr/lib/postgresql/<major>/bin). */
export function postgresBinDir(): string {
  const explicit = process.env.GCTERM_PG_BIN;
  if (explicit) return explicit;
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a)) : [];
  if (majors.length === 0) throw new Error('PostgreSQL is not installed (apt-get install postgresql)');
  return join(root, majors[0] ?? '15', 'bin');
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export type TestPostgres = Readonly<{
  /** postgres://… of the cluster's `postgres` database. */
  url: string;
  port: number;
  dir: string;
  /** A fresh empty database on this cluster (one per test keeps tests independent). */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
  /** Starts it again on the same port and data (a database server restart). */
  start(): Promise<void>;
  close(): Promise<void>;
}>;

export async function startTestPostgres(options: Readonly<{ durable?: boolean }> = {}): Promise<TestPostgres> {
  const bin = postgresBinDir();
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'gcterm-pg-'));
  const data = join(dir, 'data');
  const port = await freePort();
  // As root: the postgres user must own the directory (and reach it: the temp dir is 0700).
  const user = asRoot ? await run('id', ['-u', 'postgres']).then((r) => Number(r.stdout.trim())) : null;
  const group = asRoot ? await run('id', ['-g', 'postgres']).then((r) => Number(r.stdout.trim())) : null;
  if (user !== null && group !== null) {
    chownSync(dir, user, group);
    chmodSync(dir, 0o700);
  }
  const pg = (tool: string, args: readonly string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]) : run(join(bin, tool), [...args]);
  await pg('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  const conf = [
    `port = ${port}`,
    "listen_addresses = '127.0.0.1'",
    `unix_socket_directories = '${dir}'`,
    'max_connections = 200',
    'shared_buffers = 32MB',
    // Tests: durability of the test cluster itself is not under test; the bench asks for it.
    ...(options.durable ? [] : ['fsync = off', 'full_page_writes = off']),
  ].join('\n');
  writeFileSync(join(data, 'postgresql.auto.conf'), `${conf}\n`);
  if (user !== null && group !== null) chownSync(join(data, 'postgresql.auto.conf'), user, group);
  const start = async () => {
    await pg('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '30', 'start']);
  };
  const stop = async () => {
    await pg('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '30', 'stop']).catch(() => undefined);
  };
  await start();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let counter = 0;
  return {
    url,
    port,
    dir,
    async createDatabase(name) {
      const db = `${name.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${++counter}`;
      await pg('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-q', '-c', `CREATE DATABASE ${db}`]);
      return `postgres://postgres@127.0.0.1:${port}/${db}`;
    },
    stop,
    start,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
