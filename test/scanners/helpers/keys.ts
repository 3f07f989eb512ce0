import type { CDPSession } from 'playwright-core';
import { sleep } from './events.ts';

/** One recorded key event: milliseconds from the start of the trace. */
export type TraceEvent = Readonly<{ t: number; type: 'down' | 'up'; code: string; key: string }>;

export type WedgeTrace = Readonly<{
  description: string;
  focus: 'amount' | 'notes';
  composition?: string;
  events: readonly TraceEvent[];
  expect: Readonly<{ scans: readonly string[]; amount: string; notes: string; submitted: number; submittedAmount?: string }>;
}>;

function virtualKeyCode(code: string, key: string): number {
  if (key === 'Process') return 229;
  if (code.startsWith('Key')) return code.charCodeAt(3);
  if (code.startsWith('Digit')) return 48 + Number(code.slice(5));
  if (code.startsWith('Numpad') && /\d$/.test(code)) return 96 + Number(code.slice(6));
  const table: Readonly<Record<string, number>> = {
    Enter: 13,
    NumpadEnter: 13,
    Tab: 9,
    Space: 32,
    ShiftLeft: 16,
    ShiftRight: 16,
    Period: 190,
    Minus: 189,
    Backspace: 8,
  };
  return table[code] ?? 0;
}

/**
 * Plays a trace into the page as real keyboard input (CDP Input.dispatchKeyEvent). Each event is
 * sent at its time in the trace and carries that time as its timestamp, so the page sees exactly
 * the recorded gaps. `stallAfter`/`stallMs` model a page too busy to handle input for a moment
 * after the n-th keydown: keys pressed meanwhile keep their timestamps and are delivered together
 * when it recovers; `lagMs` models one that runs behind (every key delivered that late).
 */
export async function playTrace(
  cdp: CDPSession,
  events: readonly TraceEvent[],
  options: Readonly<{ stallAfter?: number; stallMs?: number; lagMs?: number }> = {},
): Promise<void> {
  // Timestamps say when keys were pressed; with `lagMs` they are delivered that much later.
  const startWall = Date.now() + 30;
  const startMono = performance.now() + 30;
  let shift = false;
  let downs = 0;
  const lag = options.lagMs ?? 0;
  let stallUntil = Number.NEGATIVE_INFINITY;
  const sends: Promise<unknown>[] = [];
  for (const event of events) {
    const due = Math.max(startMono + event.t + lag, stallUntil);
    const wait = due - performance.now();
    if (wait > 3) await sleep(wait - 2);
    while (performance.now() < due) await new Promise((resolve) => setImmediate(resolve));
    if (event.code.startsWith('Shift')) shift = event.type === 'down';
    const base = {
      code: event.code,
      key: event.key,
      windowsVirtualKeyCode: virtualKeyCode(event.code, event.key),
      nativeVirtualKeyCode: virtualKeyCode(event.code, event.key),
      modifiers: shift ? 8 : 0,
      timestamp: (startWall + event.t) / 1000,
    };
    if (event.type === 'up') {
      sends.push(cdp.send('Input.dispatchKeyEvent', { ...base, type: 'keyUp' }));
      continue;
    }
    const text = event.key === 'Enter' ? '\r' : event.key.length === 1 ? event.key : undefined;
    sends.push(cdp.send('Input.dispatchKeyEvent', text !== undefined ? { ...base, type: 'keyDown', text, unmodifiedText: text } : { ...base, type: 'rawKeyDown' }));
    if (!event.code.startsWith('Shift')) downs++;
    if (options.stallAfter !== undefined && downs === options.stallAfter) {
      stallUntil = performance.now() + (options.stallMs ?? 0);
    }
  }
  await Promise.all(sends);
}
