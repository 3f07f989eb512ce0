import type { Migration } from '../../sqlite.ts';
import { migration0001 } from './0001-initial.ts';
import { migration0002 } from './0002-ownership.ts';
import { migration0003 } from './0003-people.ts';
import { migration0004 } from './0004-shifts-receipts.ts';

export type { Migration };

/**
 * Numbered migrations, one file each, never edited after release. The schema version lives in
 * PRAGMA user_version.
 */
export const MIGRATIONS: readonly Migration[] = [migration0001, migration0002, migration0003, migration0004];
