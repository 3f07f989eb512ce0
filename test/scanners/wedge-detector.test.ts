/**
 * The wedge's rules without a browser: the same recorded traces, fed as keydowns with the hold
 * timer firing on time, plus calibration. Fast enough to probe the edges property-style.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SCANNER_SETTINGS, type WedgeSettings } from '../../shared/scan/settings.ts';
import { calibrateWedge, createWedgeDetector, type WedgeAction, type WedgeKey } from '../../src-renderer/scanners/wedge-detector.ts';
import type { TraceEvent, WedgeTrace } from './helpers/keys.ts';

const TRACES = join(import.meta.dirname, '..', 'fixtures', 'scanners', 'wedge');
const load = (name: string): WedgeTrace => JSON.parse(readFileSync(join(TRACES, name), 'utf8')) as WedgeTrace;

type Outcome = { scans: string[]; typed: string };

/** Keydowns in, with the hold timer firing exactly when due. */
function classify(events: readonly TraceEvent[], settings: WedgeSettings = DEFAULT_SCANNER_SETTINGS.wedge, composing = false): Outcome {
  const detector = createWedgeDetector(settings);
  const outcome: Outcome = { scans: [], typed: '' };
  const apply = (actions: readonly WedgeAction[]): void => {
    for (const action of actions) {
      if (action.type === 'scan') outcome.scans.push(action.text);
      else outcome.typed += action.keys.map((k) => k.key).join('');
    }
  };
  let shift = false;
  for (const event of events) {
    if (event.code.startsWith('Shift')) shift = event.type === 'down';
    if (event.type !== 'down') continue;
    const due = detector.nextTick();
    if (due !== null && due <= event.t) apply(detector.tick(due));
    const key: WedgeKey = { code: event.code, key: event.key, at: event.t, arrived: event.t, shift, ctrl: false, alt: false, meta: false, repeat: false, composing };
    const decision = detector.keyDown(key);
    apply(decision.actions);
    if (decision.disposition === 'pass' && event.key.length === 1) outcome.typed += event.key;
  }
  const due = detector.nextTick();
  if (due !== null) apply(detector.tick(due));
  return outcome;
}

describe('wedge rules on the recorded traces', () => {
  it.each(readdirSync(TRACES).filter((f) => f.endsWith('.json')))('%s', (file) => {
    const trace = load(file);
    const outcome = classify(trace.events, DEFAULT_SCANNER_SETTINGS.wedge, trace.composition !== undefined);
    expect(outcome.scans).toEqual(trace.expect.scans);
    if (trace.expect.scans.length === 0) expect(outcome.typed).toBe(trace.focus === 'amount' ? trace.expect.amount : trace.expect.notes);
  });
});

describe('wedge rules', () => {
  const keys = (text: string, gap: number, suffix: string | null = 'Enter'): TraceEvent[] => {
    const out: TraceEvent[] = [...text].map((c, i) => ({ t: i * gap, type: 'down', code: /\d/.test(c) ? `Digit${c}` : `Key${c.toUpperCase()}`, key: c }));
    if (suffix) out.push({ t: text.length * gap, type: 'down', code: suffix, key: suffix });
    return out;
  };

  it('never takes typing slower than the gap threshold for a scan, whatever is typed', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9a-z]{1,30}$/), fc.integer({ min: 51, max: 400 }), (text, gap) => {
        expect(classify(keys(text, gap)).scans).toEqual([]);
      }),
    );
  });

  it('reads any burst of 6+ keys within the gap threshold ending in Enter', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9a-z]{6,32}$/), fc.integer({ min: 1, max: 50 }), (text, gap) => {
        expect(classify(keys(text, gap)).scans).toEqual([text]);
      }),
    );
  });

  it('lets every key through when switched off in settings', () => {
    expect(classify(keys('163612345678901234', 5), { ...DEFAULT_SCANNER_SETTINGS.wedge, enabled: false })).toEqual({ scans: [], typed: '163612345678901234' });
  });

  it('does not take a short fast burst (a typist rolling "123") for a scan', () => {
    expect(classify(keys('12345', 10)).scans).toEqual([]);
  });

  it('needs the suffix unless told the scanner sends none', () => {
    expect(classify(keys('123456789012', 8, null)).scans).toEqual([]);
    expect(classify(keys('123456789012', 8, null), { ...DEFAULT_SCANNER_SETTINGS.wedge, requireSuffix: false }).scans).toEqual(['123456789012']);
  });

  it('gives held keys back in order before a key it does not hold (Backspace)', () => {
    const detector = createWedgeDetector(DEFAULT_SCANNER_SETTINGS.wedge);
    const base = { shift: false, ctrl: false, alt: false, meta: false, repeat: false, composing: false };
    detector.keyDown({ ...base, code: 'Digit5', key: '5', at: 0, arrived: 0 });
    const decision = detector.keyDown({ ...base, code: 'Backspace', key: 'Backspace', at: 20, arrived: 20 });
    expect(decision.disposition).toBe('pass');
    expect(decision.actions).toMatchObject([{ type: 'replay', keys: [{ key: '5' }] }]);
  });

  it('resumes a burst the timer gave up on too early, and asks for the replayed keys to be undone', () => {
    const detector = createWedgeDetector(DEFAULT_SCANNER_SETTINGS.wedge);
    const base = { shift: false, ctrl: false, alt: false, meta: false, repeat: false, composing: false };
    for (let i = 0; i < 3; i++) detector.keyDown({ ...base, code: `Digit${i}`, key: String(i), at: i * 40, arrived: i * 40 });
    // The page stalls: the timer fires before the 4th key (pressed at 120) is handled at 300.
    expect(detector.tick(250)).toMatchObject([{ type: 'replay' }]);
    for (let i = 3; i < 8; i++) detector.keyDown({ ...base, code: `Digit${i}`, key: String(i), at: i * 40, arrived: 300 + i });
    const end = detector.keyDown({ ...base, code: 'Enter', key: 'Enter', at: 320, arrived: 310 });
    expect(end.actions).toMatchObject([{ type: 'scan', text: '01234567' }]);
    const scan = end.actions[0];
    expect(scan?.type === 'scan' && scan.keys.filter((k) => k.replayed).length).toBe(3);
  });
});

describe('calibration', () => {
  const downs = (trace: WedgeTrace) => trace.events.filter((e) => e.type === 'down').map((e) => ({ code: e.code, at: e.t }));

  it('learns a 45 ms scanner: threshold with headroom, Enter suffix', () => {
    const scan = downs(load('slow-scanner-45ms.json'));
    const result = calibrateWedge([scan, scan, scan], DEFAULT_SCANNER_SETTINGS.wedge);
    expect(result).toMatchObject({ ok: true, observed: { scans: 3, suffix: 'Enter', shortest: 12 }, settings: { requireSuffix: true, minLength: 6 } });
    expect(result.ok && result.settings.maxGapMs).toBeGreaterThanOrEqual(64);
    expect(result.ok && result.settings.holdMs).toBeGreaterThan(result.ok ? result.settings.maxGapMs : 0);
  });

  it('learns a scanner without a suffix', () => {
    const scan = downs(load('fast-scanner.json')).filter((k) => k.code !== 'Enter');
    const result = calibrateWedge([scan, scan], DEFAULT_SCANNER_SETTINGS.wedge);
    expect(result).toMatchObject({ ok: true, settings: { requireSuffix: false, maxGapMs: 30 } });
  });

  it('refuses typing offered as test scans', () => {
    const typed = downs(load('typist-enter.json'));
    expect(calibrateWedge([typed, typed], DEFAULT_SCANNER_SETTINGS.wedge)).toMatchObject({ ok: false, reason: expect.stringMatching(/look typed/) });
  });

  it('asks for at least two scans', () => {
    expect(calibrateWedge([downs(load('fast-scanner.json'))], DEFAULT_SCANNER_SETTINGS.wedge)).toMatchObject({ ok: false });
  });
});
