import { migration0001 } from './0001-initial.ts';

/** One numbered file per schema change, never edited once released; applied in order. */
export type Migration = Readonly<{ version: number; name: string; up: string }>;

export const MIGRATIONS: readonly Migration[] = [migration0001];
