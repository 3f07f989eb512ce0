/**
 * Keyboard-wedge detection as a pure state machine: key presses in, decisions out. A USB scanner
 * in keyboard mode types a whole code in a burst (a few ms to ~50 ms between keys) ending in
 * Enter or Tab; people do not. Timing comes from the events' own timestamps, never from when the
 * page got round to handling them, so a busy UI thread cannot turn a scan into typing.
 *
 * No DOM here (wedge.ts binds it to a page), so the rules can be tested in plain Node too.
 */
import type { WedgeSettings } from '../../shared/scan/settings.ts';
import { usKeyChar } from '../../shared/scan/us-keyboard.ts';

/** One keydown, reduced to what detection needs. */
export type WedgeKey = Readonly<{
  /** `KeyboardEvent.code`: the physical key, independent of layout and IME. */
  code: string;
  /** `KeyboardEvent.key`: what the OS produced (used to give typing back unchanged). */
  key: string;
  /** `KeyboardEvent.timeStamp`, milliseconds: when the key was pressed. Gaps are measured on this. */
  at: number;
  /**
   * When the page got to handle it (same clock). The hold timer counts from here, so a page that
   * runs behind its input — keys arriving 250 ms after they were pressed — still waits `holdMs`
   * for the next key instead of deciding at once.
   */
  arrived: number;
  shift: boolean;
  ctrl: boolean;
  alt: boolean;
  meta: boolean;
  repeat: boolean;
  /** An IME owns this key press (isComposing, or key 'Process' / keyCode 229). */
  composing: boolean;
}>;

/** A key the detector took, with what became of it. */
export type HeldKey = WedgeKey & {
  /** The scanner's character (US layout by physical key, or the OS's, per settings). */
  readonly char: string;
  /** True when the page already got this key: an IME key cannot be held back. */
  readonly leaked: boolean;
  /** Already given back as typing (the burst then turned out to be a scan after all). */
  replayed: boolean;
};

export type WedgeAction =
  /** Not a scan: give these keys to the page as the typing they were, in order. */
  | Readonly<{ type: 'replay'; keys: readonly HeldKey[] }>
  /** A scan. `keys` includes any that had reached the page (leaked or replayed): undo those. */
  | Readonly<{ type: 'scan'; text: string; keys: readonly HeldKey[]; suffix: string | null; at: number; gapsMs: readonly number[] }>;

/**
 * What to do with the key being pressed, after `actions` are carried out:
 * 'hold' — keep it from the page for now; 'swallow' — keep it from the page for good (the scan's
 * Enter); 'pass' — let the page have it; 'observe' — the page already has it (IME), just watch.
 */
export type KeyDisposition = 'hold' | 'swallow' | 'pass' | 'observe';

export type WedgeDecision = Readonly<{
  disposition: KeyDisposition;
  actions: readonly WedgeAction[];
  /** The key, when the detector took it into a burst. */
  held?: HeldKey;
  /** It is the first key of a new burst (the moment to remember the focused field). */
  startsBurst?: boolean;
}>;

export type WedgeDetector = {
  keyDown(key: WedgeKey): WedgeDecision;
  /** The hold timer fired at `now` (same clock as `arrived`): resolve a burst that has gone quiet. */
  tick(now: number): WedgeAction[];
  /** When `tick` should next run, or null when nothing is held. */
  nextTick(): number | null;
  /** Gives back whatever is held (focus left the window, detector detached). */
  flush(): WedgeAction[];
  update(settings: WedgeSettings): void;
};

const MODIFIER_CODES = new Set([
  'ShiftLeft',
  'ShiftRight',
  'ControlLeft',
  'ControlRight',
  'AltLeft',
  'AltRight',
  'MetaLeft',
  'MetaRight',
  'CapsLock',
  'NumLock',
]);

export function createWedgeDetector(initial: WedgeSettings): WedgeDetector {
  let settings = initial;
  let burst: HeldKey[] = [];
  /**
   * The last burst given back as typing by the timer. If the next key turns out (by its
   * timestamp) to have come within the gap, the timer was merely late — a stalled UI thread —
   * and the burst continues; its replayed keys are then undone if it becomes a scan.
   */
  let lastReplayed: HeldKey[] = [];

  const lastAt = (): number | null => burst.at(-1)?.at ?? null;
  const lastArrived = (): number | null => burst.at(-1)?.arrived ?? null;

  const gapsOf = (keys: readonly HeldKey[], suffixAt: number | null): number[] => {
    const gaps: number[] = [];
    for (let i = 1; i < keys.length; i++) gaps.push((keys[i]?.at ?? 0) - (keys[i - 1]?.at ?? 0));
    const last = keys.at(-1);
    if (suffixAt !== null && last) gaps.push(suffixAt - last.at);
    return gaps;
  };

  const scanAction = (keys: HeldKey[], suffix: string | null, at: number): WedgeAction => ({
    type: 'scan',
    text: keys.map((k) => k.char).join(''),
    keys,
    suffix,
    at,
    gapsMs: gapsOf(keys, suffix === null ? null : at),
  });

  /** The burst ended without a suffix: a scan only when suffixes are optional. */
  const resolve = (reason: 'gap' | 'other-key' | 'timer'): WedgeAction[] => {
    if (burst.length === 0) return [];
    const keys = burst;
    burst = [];
    if (!settings.requireSuffix && keys.length >= settings.minLength) {
      lastReplayed = [];
      return [scanAction(keys, null, keys.at(-1)?.at ?? 0)];
    }
    const toReplay = keys.filter((k) => !k.leaked && !k.replayed);
    for (const k of toReplay) k.replayed = true;
    lastReplayed = reason === 'timer' ? keys : [];
    return toReplay.length > 0 ? [{ type: 'replay', keys: toReplay }] : [];
  };

  const charFor = (key: WedgeKey): string | null => {
    if (settings.layout === 'us' || key.composing) return usKeyChar(key.code, key.shift);
    return key.key.length === 1 ? key.key : null;
  };

  return {
    keyDown(key) {
      // Switched off in settings: every key is the page's (anything still held goes back first).
      if (!settings.enabled) return { disposition: key.composing ? 'observe' : 'pass', actions: resolve('other-key') };
      // Shift and friends type nothing and must not break a burst (scanners press Shift for capitals).
      if (MODIFIER_CODES.has(key.code)) return { disposition: key.composing ? 'observe' : 'pass', actions: [] };

      const actions: WedgeAction[] = [];
      const previous = lastAt();
      if (previous !== null && key.at - previous > settings.maxGapMs) actions.push(...resolve('gap'));
      if (burst.length === 0 && lastReplayed.length > 0) {
        const resumedFrom = lastReplayed.at(-1)?.at ?? Number.NEGATIVE_INFINITY;
        if (key.at - resumedFrom <= settings.maxGapMs) burst = lastReplayed;
        lastReplayed = [];
      }

      // Key repeat, shortcuts: a person. Whatever was held is typing, and this key is theirs.
      if (key.repeat || key.ctrl || key.alt || key.meta) {
        actions.push(...resolve('other-key'));
        return { disposition: key.composing ? 'observe' : 'pass', actions };
      }

      if (settings.suffixKeys.includes(key.code)) {
        if (burst.length >= settings.minLength) {
          const keys = burst;
          burst = [];
          lastReplayed = [];
          actions.push(scanAction(keys, key.code, key.at));
          return { disposition: 'swallow', actions };
        }
        actions.push(...resolve('other-key'));
        return { disposition: key.composing ? 'observe' : 'pass', actions };
      }

      const char = charFor(key);
      if (char === null) {
        // Backspace, arrows, F-keys: typing. Give back what was held first, to keep the order.
        actions.push(...resolve('other-key'));
        return { disposition: key.composing ? 'observe' : 'pass', actions };
      }
      const held: HeldKey = { ...key, char, leaked: key.composing, replayed: false };
      burst.push(held);
      return { disposition: key.composing ? 'observe' : 'hold', actions, held, startsBurst: burst.length === 1 };
    },
    tick(now) {
      const last = lastArrived();
      if (last === null || now - last < settings.holdMs) return [];
      return resolve('timer');
    },
    nextTick() {
      const last = lastArrived();
      return last === null ? null : last + settings.holdMs;
    },
    flush() {
      lastReplayed = [];
      return resolve('other-key');
    },
    update(next) {
      settings = next;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Calibration: learn a scanner's timing from a few test scans.

/** The keydowns of one test scan, suffix included: `{code, at}` as recorded. */
export type CalibrationScan = readonly Readonly<{ code: string; at: number }>[];

export type CalibrationResult =
  | Readonly<{
      ok: true;
      settings: WedgeSettings;
      /** What was measured, for the installer to see. */
      observed: Readonly<{ scans: number; maxGapMs: number; meanGapMs: number; shortest: number; suffix: string | null }>;
    }>
  | Readonly<{ ok: false; reason: string }>;

/** Gaps above this are a person, whatever the scanner's settings. */
const HUMAN_GAP_MS = 150;

/**
 * Derives wedge settings from 2+ test scans of the same kind of card: the gap threshold is the
 * slowest gap seen with 50% headroom (at least 30 ms), the suffix is the key every scan ended
 * with (or none), the minimum length stays at 6 unless the test codes are shorter.
 */
export function calibrateWedge(scans: readonly CalibrationScan[], base: WedgeSettings): CalibrationResult {
  const usable = scans.filter((s) => s.filter((k) => !MODIFIER_CODES.has(k.code)).length >= 2);
  if (usable.length < 2) return { ok: false, reason: 'Scan the test card at least twice.' };
  const gaps: number[] = [];
  const suffixes = new Set<string | null>();
  let shortest = Number.POSITIVE_INFINITY;
  for (const scan of usable) {
    const keys = scan.filter((k) => !MODIFIER_CODES.has(k.code));
    const last = keys.at(-1);
    const hasSuffix = last !== undefined && (last.code === 'Enter' || last.code === 'NumpadEnter' || last.code === 'Tab');
    suffixes.add(hasSuffix ? (last?.code ?? null) : null);
    shortest = Math.min(shortest, keys.length - (hasSuffix ? 1 : 0));
    for (let i = 1; i < keys.length; i++) gaps.push((keys[i]?.at ?? 0) - (keys[i - 1]?.at ?? 0));
  }
  const maxGap = Math.max(...gaps);
  const meanGap = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  if (maxGap > HUMAN_GAP_MS) {
    return { ok: false, reason: `These look typed, not scanned (keys up to ${Math.round(maxGap)} ms apart). Scan the test card with the scanner.` };
  }
  if (suffixes.size > 1) return { ok: false, reason: 'The scans ended differently (Enter on some, not on others); check the scanner is set to one suffix.' };
  const suffix = [...suffixes][0] ?? null;
  const maxGapMs = Math.max(30, Math.ceil(maxGap * 1.5));
  const settings: WedgeSettings = {
    ...base,
    maxGapMs,
    holdMs: maxGapMs + 30,
    minLength: Math.min(base.minLength, shortest),
    requireSuffix: suffix !== null,
    suffixKeys: suffix === null ? base.suffixKeys : [...new Set([suffix, ...base.suffixKeys])],
  };
  return { ok: true, settings, observed: { scans: usable.length, maxGapMs: maxGap, meanGapMs: meanGap, shortest, suffix } };
}
