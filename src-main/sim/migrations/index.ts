import type { Migration } from '../../sqlite.ts';
import { migration0001 } from './0001-initial.ts';

export type { Migration };

/** One numbered file per schema change, never edited once released; applied in order. */
export const MIGRATIONS: readonly Migration[] = [migration0001];
