/**
 * End of day's figures and the journal's details in words, without a browser: every total
 * follows the filters, the shortfall is counted, an inverted hour range is recognised, and the
 * engine's notes become sentences (never developer English shown as if it were one).
 */
import { describe, expect, it } from 'vitest';
import type { RedemptionView } from '../../shared/contract.ts';
import { describeDetail, filterRows, hourRangeInverted, NO_FILTERS, settledByHour, shortfallOf, totalsOf } from '../../src-renderer/screens/endofday/model.ts';

const HOUR = 3_600_000;
const row = (over: Partial<RedemptionView>): RedemptionView => ({
  id: 'r',
  terminalId: 'T01',
  cashier: 'A',
  codeMasked: '•••• 0001',
  codeKind: 'card_code',
  realCodeMasked: null,
  cardId: null,
  cardTitle: null,
  subCardType: 'GIFT_CARD',
  amountFen: 1_000,
  shortfallFen: null,
  balanceBeforeFen: null,
  balanceAfterFen: null,
  state: 'settled',
  reason: null,
  detail: null,
  offline: false,
  attempts: 1,
  createdAt: 9 * HOUR,
  updatedAt: 9 * HOUR,
  ...over,
});
const hourOf = (ms: number): number => Math.floor(ms / HOUR) % 24;

describe('end of day model', () => {
  const day = [
    row({ id: '1', amountFen: 1_000, cashier: 'A', createdAt: 9 * HOUR }),
    row({ id: '2', amountFen: 2_000, cashier: 'B', createdAt: 14 * HOUR }),
    row({ id: '3', amountFen: 500, state: 'declined', reason: 'insufficient_balance', createdAt: 14 * HOUR }),
    row({ id: '4', amountFen: 400, shortfallFen: 500, cashier: 'B', createdAt: 15 * HOUR, detail: JSON.stringify({ partial: true, takenFen: 400, askedFen: 900, shortfallFen: 500, manager: '店长', note: '' }) }),
  ];

  it('totals and hours follow the state, cashier and hour filters, shortfall included', () => {
    const all = totalsOf(day);
    expect(all.byState.settled).toEqual({ count: 3, amountFen: 3_400 });
    expect(all.shortfallFen).toBe(500);
    const b = filterRows(day, { ...NO_FILTERS, cashier: 'B' }, hourOf);
    expect(totalsOf(b).byState.settled).toEqual({ count: 2, amountFen: 2_400 });
    const afternoon = filterRows(day, { ...NO_FILTERS, fromHour: 14, toHour: 14 }, hourOf);
    expect(afternoon.map((r) => r.id)).toEqual(['2', '3']);
    expect(settledByHour(afternoon, hourOf).fen[14]).toBe(2_000);
    expect(settledByHour(afternoon, hourOf).fen[9]).toBe(0);
    const inverted = { ...NO_FILTERS, fromHour: 15, toHour: 9 };
    expect(hourRangeInverted(inverted)).toBe(true);
    expect(filterRows(day, inverted, hourOf)).toEqual([]);
  });

  it('reads the shortfall from the journal, or from an older row\'s detail', () => {
    expect(shortfallOf(row({ shortfallFen: 300 }))).toBe(300);
    expect(shortfallOf(row({ detail: 'partial: 400 of 900 fen deducted, shortfall 500 fen (店长: )' }))).toBe(500);
    expect(shortfallOf(row({}))).toBe(0);
  });

  it('turns engine notes into sentences and keeps the rest as technical detail', () => {
    expect(describeDetail(JSON.stringify({ replay: true, status: 'NORMAL', balanceFen: 0, queuedFen: 900 }))).toEqual({
      lines: [{ key: 'replay', params: { status: 'NORMAL', balance: 0, queued: 900 }, money: ['balance', 'queued'] }],
      technical: null,
    });
    // The older English sentences are recognised too, and an empty note is no "(店长: )".
    expect(describeDetail('replay: card NORMAL, balance 0 fen, queued 900 fen').lines[0]?.key).toBe('replay');
    expect(describeDetail('partial: 400 of 900 fen deducted, shortfall 500 fen (店长: )')).toEqual({
      lines: [
        { key: 'partial', params: { taken: 400, asked: 900, shortfall: 500 }, money: ['taken', 'asked', 'shortfall'] },
        { key: 'managerNoNote', params: { manager: '店长', note: '' }, money: [] },
      ],
      technical: null,
    });
    expect(describeDetail('{"storedFen":100,"targetFen":200}\n店长: 顾客改付现金').lines.map((l) => l.key)).toEqual(['unexpected', 'managerNote']);
    expect(describeDetail('consume failed: socket hang up')).toEqual({ lines: [], technical: 'consume failed: socket hang up' });
    // Parameters that only fill the reason's own message say nothing more.
    expect(describeDetail(JSON.stringify({ limit: 20_000 }))).toEqual({ lines: [], technical: null });
  });
});
