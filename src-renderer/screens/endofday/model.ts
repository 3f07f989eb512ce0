/**
 * End of day as plain data: which rows the filters keep, the totals and the per-hour figures of
 * exactly those rows (so every figure on the screen follows the filters), what a row's journaled
 * detail says, and the shortfall a partial redemption left to collect. No DOM, no i18next: the
 * screen turns `DetailLine`s into text.
 */
import type { RedemptionState, RedemptionView } from '../../../shared/contract.ts';

export type Filters = Readonly<{ state: RedemptionState | ''; cashier: string; fromHour: number; toHour: number; search: string }>;
export const NO_FILTERS: Filters = { state: '', cashier: '', fromHour: 0, toHour: 23, search: '' };

/** The "from" hour is after the "to" hour: nothing can match, and the screen says so. */
export const hourRangeInverted = (filters: Filters): boolean => filters.fromHour > filters.toHour;

/**
 * Rows kept by the state, cashier and hour filters (the code search is the core's). `hourOf`
 * gives the local hour of a time (the PC's clock, shared with the core).
 */
export function filterRows(rows: readonly RedemptionView[], filters: Filters, hourOf: (ms: number) => number): RedemptionView[] {
  return rows.filter((r) => {
    if (filters.state !== '' && r.state !== filters.state) return false;
    if (filters.cashier !== '' && r.cashier !== filters.cashier) return false;
    const hour = hourOf(r.createdAt);
    return hour >= filters.fromHour && hour <= filters.toHour;
  });
}

/** A search for a card's last digits matches codes that END with them (0001 is not …0101). */
export const isDigitsSearch = (search: string): boolean => /^\d+$/.test(search);

/** The part of a sale a partial redemption left to collect another way, fen (0 when none). */
export function shortfallOf(row: RedemptionView): number {
  if (row.shortfallFen !== null) return row.shortfallFen;
  const detail = parseDetail(row.detail);
  if (detail.kind === 'json' && typeof detail.data.shortfallFen === 'number' && detail.data.partial === true) return detail.data.shortfallFen;
  if (detail.kind === 'text') {
    const legacy = /shortfall (\d+) fen/.exec(detail.text);
    if (legacy?.[1]) return Number(legacy[1]);
  }
  return 0;
}

export type Totals = Readonly<{
  byState: Readonly<Partial<Record<RedemptionState, Readonly<{ count: number; amountFen: number }>>>>;
  count: number;
  /** Settled and money moved: what the card paid. */
  settledFen: number;
  /** Collected another way after partial redemptions. */
  shortfallFen: number;
  shortfallCount: number;
  offlineCount: number;
}>;

export function totalsOf(rows: readonly RedemptionView[]): Totals {
  const byState: Partial<Record<RedemptionState, { count: number; amountFen: number }>> = {};
  let settledFen = 0;
  let shortfallFen = 0;
  let shortfallCount = 0;
  let offlineCount = 0;
  for (const r of rows) {
    const entry = (byState[r.state] ??= { count: 0, amountFen: 0 });
    entry.count++;
    entry.amountFen += r.amountFen;
    if (r.state === 'settled') settledFen += r.amountFen;
    const short = r.state === 'declined' ? 0 : shortfallOf(r);
    if (short > 0) {
      shortfallFen += short;
      shortfallCount++;
    }
    if (r.offline) offlineCount++;
  }
  return { byState, count: rows.length, settledFen, shortfallFen, shortfallCount, offlineCount };
}

/** Settled amount and count per hour of the day (24 entries each). */
export function settledByHour(rows: readonly RedemptionView[], hourOf: (ms: number) => number): Readonly<{ fen: number[]; count: number[] }> {
  const fen = Array.from({ length: 24 }, () => 0);
  const count = Array.from({ length: 24 }, () => 0);
  for (const r of rows) {
    if (r.state !== 'settled') continue;
    const h = hourOf(r.createdAt);
    fen[h] = (fen[h] ?? 0) + r.amountFen;
    count[h] = (count[h] ?? 0) + 1;
  }
  return { fen, count };
}

type Parsed = Readonly<{ kind: 'none' }> | Readonly<{ kind: 'json'; data: Readonly<Record<string, unknown>> }> | Readonly<{ kind: 'text'; text: string }>;

function parseDetail(detail: string | null): Parsed {
  if (!detail) return { kind: 'none' };
  const first = detail.split('\n')[0] ?? '';
  if (first.startsWith('{')) {
    try {
      const data: unknown = JSON.parse(first);
      if (data !== null && typeof data === 'object' && !Array.isArray(data)) return { kind: 'json', data: data as Record<string, unknown> };
    } catch {
      // Not JSON after all: shown as it is, under "technical details".
    }
  }
  return { kind: 'text', text: detail };
}

/** One sentence about what is known of a redemption: a dictionary key and its parameters. */
export type DetailLine = Readonly<{ key: string; params: Readonly<Record<string, string | number>>; money: readonly string[] }>;

export type DescribedDetail = Readonly<{
  lines: readonly DetailLine[];
  /** Whatever has no sentence yet (an error message from WeChat, an engine note), as journaled. */
  technical: string | null;
}>;

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Known keys that only fill the reason's own slots (offline limits): nothing more to say. */
const REASON_PARAMS = new Set(['limit', 'hours']);

/**
 * What the journal's `detail` says, as sentences the UI translates. Engine notes are JSON with
 * known keys (older rows: short English sentences, matched here too); anything else is kept as
 * technical detail rather than shown as if it were a sentence for the manager.
 */
export function describeDetail(detail: string | null): DescribedDetail {
  const parsed = parseDetail(detail);
  if (parsed.kind === 'none') return { lines: [], technical: null };
  const lines: DetailLine[] = [];
  const rest: string[] = [];
  const notes = (detail ?? '').split('\n').slice(1);
  if (parsed.kind === 'json') {
    const d = parsed.data;
    const used = new Set<string>();
    const use = (...keys: string[]): void => keys.forEach((k) => used.add(k));
    if (d.partial === true) {
      lines.push({ key: 'partial', params: { taken: num(d.takenFen) ?? 0, asked: num(d.askedFen) ?? 0, shortfall: num(d.shortfallFen) ?? 0 }, money: ['taken', 'asked', 'shortfall'] });
      use('partial', 'takenFen', 'askedFen', 'shortfallFen');
      if (str(d.note) !== '' || str(d.manager) !== '') lines.push(noteLine(str(d.manager), str(d.note)));
      use('manager', 'note');
    } else if (d.replay === true && d.status !== undefined) {
      lines.push({ key: 'replay', params: { status: str(d.status), balance: num(d.balanceFen) ?? -1, queued: num(d.queuedFen) ?? 0 }, money: ['balance', 'queued'] });
      use('replay', 'status', 'balanceFen', 'queuedFen');
    } else if (d.replay === true) {
      lines.push({ key: 'replayFailed', params: {}, money: [] });
      use('replay');
    } else if (d.void === true && d.storedFen !== undefined) {
      lines.push({ key: 'voidUnexpected', params: { stored: num(d.storedFen) ?? 0, target: num(d.targetFen) ?? 0 }, money: ['stored', 'target'] });
      use('void', 'storedFen', 'targetFen');
    } else if (d.void === true) {
      lines.push({ key: 'voidConflict', params: { balance: num(d.readBackFen) ?? -1 }, money: ['balance'] });
      use('void', 'readBackFen', 'why');
    } else if (d.readBackFen !== undefined && d.targetFen !== undefined) {
      lines.push({
        key: 'conflict',
        params: { balance: num(d.readBackFen) ?? -1, before: num(d.beforeFen) ?? -1, target: num(d.targetFen) ?? 0, status: str(d.status) },
        money: ['balance', 'before', 'target'],
      });
      use('readBackFen', 'beforeFen', 'targetFen', 'status', 'ourWriteMayHaveLanded', 'why');
    } else if (d.storedFen !== undefined) {
      lines.push({ key: 'unexpected', params: { stored: num(d.storedFen) ?? 0, target: num(d.targetFen) ?? 0 }, money: ['stored', 'target'] });
      use('storedFen', 'targetFen', 'ourWriteMayHaveLanded');
    } else if (d.voucherConsumedElsewhere === true) {
      lines.push({ key: 'voucherElsewhere', params: {}, money: [] });
      use('voucherConsumedElsewhere');
    } else if (d.holder !== undefined) {
      lines.push({ key: 'held', params: { holder: str(d.holder) }, money: [] });
      use('holder');
    } else if (d.status !== undefined) {
      lines.push({ key: 'cardStatus', params: { status: str(d.status) }, money: [] });
      use('status', 'why');
    }
    const unknown = Object.entries(d).filter(([k]) => !used.has(k) && !REASON_PARAMS.has(k));
    if (unknown.length > 0) rest.push(JSON.stringify(Object.fromEntries(unknown)));
  } else {
    const text = (detail ?? '').split('\n')[0] ?? '';
    const replay = /^replay: card (\w+), balance (\d+|none) fen, queued (\d+) fen$/.exec(text);
    const partial = /^partial: (\d+) of (\d+) fen deducted, shortfall (\d+) fen \(([^:]*): ?(.*)\)$/.exec(text);
    if (replay) {
      lines.push({ key: 'replay', params: { status: replay[1] ?? '', balance: replay[2] === 'none' ? -1 : Number(replay[2]), queued: Number(replay[3]) }, money: ['balance', 'queued'] });
    } else if (partial) {
      lines.push({ key: 'partial', params: { taken: Number(partial[1]), asked: Number(partial[2]), shortfall: Number(partial[3]) }, money: ['taken', 'asked', 'shortfall'] });
      if ((partial[5] ?? '') !== '' || (partial[4] ?? '') !== '') lines.push(noteLine(partial[4] ?? '', partial[5] ?? ''));
    } else if (text !== '') {
      rest.push(text);
    }
  }
  // Lines after the first: a manager's note added when resolving ("店长: 顾客改付现金").
  for (const line of notes) {
    const note = /^([^:\n]{1,40}): ?(.*)$/.exec(line);
    if (note) lines.push(noteLine(note[1] ?? '', note[2] ?? ''));
    else if (line.trim() !== '') rest.push(line);
  }
  return { lines, technical: rest.length > 0 ? rest.join('\n') : null };
}

function noteLine(manager: string, note: string): DetailLine {
  return { key: note === '' ? 'managerNoNote' : 'managerNote', params: { manager, note }, money: [] };
}
