import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatFen, formatYuan, MAX_AMOUNT_FEN, parseYuanToFen } from '../../shared/money.ts';

describe('parseYuanToFen: amounts as typed at a till', () => {
  it.each([
    ['35', 3500],
    ['35.5', 3550],
    ['35.50', 3550],
    ['0.01', 1],
    ['12.30', 1230],
    [' 7 ', 700],
    ['0.29', 29], // 0.29 * 100 is 28.999999999999996 in floating point
    ['1000000', MAX_AMOUNT_FEN],
  ])('"%s" is %i fen', (typed, fen) => {
    expect(parseYuanToFen(typed)).toEqual({ ok: true, fen });
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['-1', 'format'],
    ['0', 'zero'],
    ['0.00', 'zero'],
    ['1e3', 'format'],
    ['12.345', 'too_many_decimals'],
    ['３５', 'format'],
    ['35.', 'format'],
    ['.5', 'format'],
    ['1,000', 'format'],
    ['+5', 'format'],
    ['5 0', 'format'],
    ['1000000.01', 'too_large'],
    ['9'.repeat(10_000), 'format'],
  ])('"%s" is refused (%s)', (typed, error) => {
    expect(parseYuanToFen(typed)).toEqual({ ok: false, error });
  });

  it('round-trips every amount up to the limit through formatFen', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_AMOUNT_FEN }), (fen) => {
        expect(parseYuanToFen(formatFen(fen))).toEqual({ ok: true, fen });
      }),
    );
  });
});

describe('formatYuan', () => {
  it('shows yuan with two decimals and the sign before ¥', () => {
    expect(formatYuan(1230)).toBe('¥12.30');
    expect(formatYuan(5)).toBe('¥0.05');
    expect(formatYuan(-5)).toBe('-¥0.05');
    expect(formatYuan(0)).toBe('¥0.00');
  });
});
