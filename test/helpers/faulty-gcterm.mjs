#!/usr/bin/env node
// The gcterm command with faults injected at the engine's step boundaries, for the crash and race
// tests only (production code reads nothing from the environment for this):
//   GCTERM_CRASH_AT=<point>        SIGKILL at that point ('update-sent': after GCTERM_CRASH_DELAY_MS)
//   GCTERM_PAUSE_AT=<point>        wait there until the file GCTERM_PAUSE_FILE exists
//   GCTERM_READY_FILE=<path>       written when the pause point is reached
//   GCTERM_STORAGE_FAIL_AT=<point> from that point on every journal commit fails with
//                                  GCTERM_STORAGE_FAIL_CODE (default SQLITE_FULL: a full disk)
import { existsSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { register } from 'tsx/esm/api';

register();
const { installFaultHooks } = await import('../../src-main/redemption/faults.ts');
const env = process.env;
installFaultHooks({
  async at(point, db) {
    if (env.GCTERM_CRASH_AT === point) {
      if (point === 'update-sent') setTimeout(() => process.kill(process.pid, 'SIGKILL'), Number(env.GCTERM_CRASH_DELAY_MS ?? 100));
      else process.kill(process.pid, 'SIGKILL');
    }
    if (env.GCTERM_STORAGE_FAIL_AT === point) {
      const code = env.GCTERM_STORAGE_FAIL_CODE ?? 'SQLITE_FULL';
      const fail = () => {
        throw new Database.SqliteError(code === 'SQLITE_FULL' ? 'database or disk is full' : 'disk I/O error', code);
      };
      // Every commit from now on fails as SQLite fails on a full disk.
      db.transaction = () => Object.assign(fail, { immediate: fail, deferred: fail, exclusive: fail });
    }
    if (env.GCTERM_PAUSE_AT === point) {
      if (env.GCTERM_READY_FILE) writeFileSync(env.GCTERM_READY_FILE, String(process.pid));
      while (!existsSync(env.GCTERM_PAUSE_FILE ?? '')) await new Promise((resolve) => setTimeout(resolve, 20));
    }
  },
});
const { main } = await import('../../src-main/cli.ts');
process.exitCode = await main(process.argv);
