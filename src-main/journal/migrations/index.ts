import { migration0001 } from './0001-initial.ts';

/**
 * Numbered migrations, one file each, never edited after release. The schema version lives in
 * PRAGMA user_version.
 */
export type Migration = Readonly<{ version: number; name: string; up: string }>;

export const MIGRATIONS: readonly Migration[] = [migration0001];
