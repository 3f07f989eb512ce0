import { describe, expect, it } from 'vitest';
import { QUIT_ANYWAY, quitWarning } from '../../src-main/electron/quit-warning.ts';

describe('quitting with redemptions queued offline', () => {
  it('quits without a question when nothing is queued', () => {
    expect(quitWarning({ depth: 0, queuedFen: 0 })).toBeNull();
  });

  it('asks, in both languages, naming how many and how much, with "keep running" as the safe default', () => {
    const warning = quitWarning({ depth: 3, queuedFen: 12_345 });
    expect(warning?.message).toContain('3 笔离线交易（¥123.45）');
    expect(warning?.message).toContain('3 offline redemption(s) (¥123.45)');
    expect(warning?.defaultId).toBe(0);
    expect(warning?.cancelId).toBe(0);
    expect(warning?.buttons[QUIT_ANYWAY]).toContain('Quit anyway');
  });
});
