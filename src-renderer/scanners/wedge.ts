/**
 * The keyboard wedge in a page: listens to every keydown on the window in the capture phase (so
 * before any field or component sees it, wherever the focus is), holds printable keys back for a
 * few tens of milliseconds, and lets `wedge-detector.ts` decide. A scan is reported and none of
 * its keys ever reach the page — a code scanned while the cursor sits in the amount field does
 * not land there. Typing is given back to the field it was aimed at, in order, as it was typed.
 *
 * Keys an IME owns (key 'Process') cannot be held back; for those the field is put back as it was
 * before the burst once the burst proves to be a scan.
 */
import type { RawScan } from '../../shared/scan/events.ts';
import type { WedgeSettings } from '../../shared/scan/settings.ts';
import { DEFAULT_SCANNER_SETTINGS } from '../../shared/scan/settings.ts';
import { createWedgeDetector, type CalibrationScan, type HeldKey, type WedgeAction, type WedgeKey } from './wedge-detector.ts';

export type WedgeScanDetail = Readonly<{ gapsMs: readonly number[]; suffix: string | null }>;

export type KeyboardWedgeOptions = Readonly<{
  settings?: WedgeSettings;
  /** Where to listen; the page's window by default. */
  target?: Window;
  onScan(read: RawScan, detail: WedgeScanDetail): void;
  /** Fields (or anything) the wedge must leave alone, e.g. a manual code entry. */
  ignore?: (target: EventTarget | null) => boolean;
  /** Epoch ms for `RawScan.at`. */
  now?: () => number;
}>;

export type KeyboardWedge = {
  update(settings: WedgeSettings): void;
  /** Stops listening; anything held is given back first. */
  detach(): void;
};

/** A keydown the wedge kept from the page; its keyup is kept too while it is held or scanned. */
type HeldEntry = { target: EventTarget | null; upSeen: boolean; state: 'held' | 'scanned' | 'replayed' };
type Snapshot = { element: HTMLInputElement | HTMLTextAreaElement; value: string; start: number | null; end: number | null };

export function attachKeyboardWedge(options: KeyboardWedgeOptions): KeyboardWedge {
  const win = options.target ?? window;
  const doc = win.document;
  const detector = createWedgeDetector(options.settings ?? DEFAULT_SCANNER_SETTINGS.wedge);
  const now = options.now ?? Date.now;
  /** Events we dispatch ourselves when giving typing back: our own listener must let them be. */
  const replaying = new WeakSet<Event>();
  const entries = new Map<HeldKey, HeldEntry>();
  /** code → the entry of its latest keydown, to match keyups. */
  const byCode = new Map<string, HeldEntry>();
  /** The focused field as it was when the current burst began. */
  let snapshot: Snapshot | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const toWedgeKey = (event: KeyboardEvent): WedgeKey => ({
    code: event.code,
    key: event.key,
    at: event.timeStamp,
    arrived: win.performance.now(),
    shift: event.shiftKey,
    ctrl: event.ctrlKey,
    alt: event.altKey,
    meta: event.metaKey,
    repeat: event.repeat,
    composing: event.isComposing || event.key === 'Process' || event.keyCode === 229,
  });

  const takeSnapshot = (target: EventTarget | null): void => {
    const element = editableField(target);
    snapshot = element ? { element, value: element.value, start: safeSelection(element, 'start'), end: safeSelection(element, 'end') } : null;
  };

  const restoreSnapshot = (): void => {
    const saved = snapshot;
    if (!saved || saved.element.value === saved.value) return;
    // An IME may still be composing in the field; leaving and re-entering it ends that.
    const hadFocus = doc.activeElement === saved.element;
    if (hadFocus) saved.element.blur();
    setNativeValue(saved.element, saved.value);
    if (hadFocus) saved.element.focus();
    if (saved.start !== null && saved.end !== null) {
      try {
        saved.element.setSelectionRange(saved.start, saved.end);
      } catch {
        // Some input types (number, email) have no selection API.
      }
    }
  };

  const replay = (keys: readonly HeldKey[]): void => {
    for (const key of keys) {
      const entry = entries.get(key);
      entries.delete(key);
      if (!entry) continue;
      entry.state = 'replayed';
      const aimed = entry.target;
      const target: EventTarget = aimed instanceof Node && aimed.isConnected ? aimed : (doc.activeElement ?? doc.body);
      const init: KeyboardEventInit = {
        key: key.key,
        code: key.code,
        shiftKey: key.shift,
        bubbles: true,
        cancelable: true,
        composed: true,
      };
      const down = new KeyboardEvent('keydown', init);
      replaying.add(down);
      const wanted = target.dispatchEvent(down);
      if (wanted && key.key.length === 1) insertText(doc, target, key.key);
      if (entry.upSeen) {
        const up = new KeyboardEvent('keyup', init);
        replaying.add(up);
        target.dispatchEvent(up);
        byCode.delete(key.code);
      }
    }
  };

  const perform = (actions: readonly WedgeAction[]): void => {
    for (const action of actions) {
      if (action.type === 'replay') {
        replay(action.keys);
        continue;
      }
      const reachedPage = action.keys.some((k) => k.leaked || k.replayed);
      for (const key of action.keys) {
        const entry = entries.get(key);
        if (entry) entry.state = 'scanned';
        entries.delete(key);
      }
      if (reachedPage) restoreSnapshot();
      snapshot = null;
      const read: RawScan = { source: 'keyboard', device: 'keyboard', raw: action.text, at: now() };
      try {
        options.onScan(read, { gapsMs: action.gapsMs, suffix: action.suffix });
      } catch (error) {
        // A failing handler must not leave keys held or the wedge wedged; the page can see it.
        win.setTimeout(() => {
          throw error;
        }, 0);
      }
    }
  };

  /**
   * The hold timer. When it fires, keys already waiting in the event queue are older than the
   * timer but not yet handled; giving them a turn first (input outranks timers in Chromium's
   * scheduler) keeps a stalled page from mistaking the rest of a scan for a pause.
   */
  const schedule = (): void => {
    if (timer !== null) win.clearTimeout(timer);
    timer = null;
    const due = detector.nextTick();
    if (due === null) return;
    const settle = (attempt: number): void => {
      const scheduling = (win.navigator as Navigator & { scheduling?: { isInputPending?: () => boolean } }).scheduling;
      if (attempt < 5 && scheduling?.isInputPending?.() === true) {
        timer = win.setTimeout(() => settle(attempt + 1), 0);
        return;
      }
      timer = null;
      perform(detector.tick(win.performance.now()));
      schedule();
    };
    timer = win.setTimeout(() => {
      timer = win.setTimeout(() => settle(0), 0);
    }, Math.max(0, due - win.performance.now()));
  };

  const block = (event: Event): void => {
    event.preventDefault();
    event.stopImmediatePropagation();
  };

  const onKeyDown = (event: KeyboardEvent): void => {
    if (replaying.has(event)) return;
    if (options.ignore?.(event.target)) {
      perform(detector.flush());
      return;
    }
    const decision = detector.keyDown(toWedgeKey(event));
    perform(decision.actions);
    if (decision.startsBurst) takeSnapshot(event.target);
    if (decision.held) {
      const entry: HeldEntry = { target: event.target, upSeen: false, state: 'held' };
      entries.set(decision.held, entry);
      byCode.set(event.code, entry);
    }
    const endsScan = decision.actions.some((a) => a.type === 'scan' && a.suffix === event.code);
    if (decision.disposition === 'hold' || decision.disposition === 'swallow' || endsScan) {
      // An IME's Enter cannot be taken back from the IME, but it can be kept from the page.
      block(event);
    }
    if (decision.disposition === 'swallow' || endsScan) byCode.set(event.code, { target: event.target, upSeen: false, state: 'scanned' });
    schedule();
  };

  const onKeyUp = (event: KeyboardEvent): void => {
    if (replaying.has(event)) return;
    const entry = byCode.get(event.code);
    if (!entry) return;
    if (entry.state === 'held') {
      entry.upSeen = true;
      block(event);
    } else if (entry.state === 'scanned') {
      byCode.delete(event.code);
      block(event);
    } else {
      byCode.delete(event.code);
    }
  };

  /** Leaving the window: nothing may stay held where it can be lost. */
  const onBlur = (): void => {
    perform(detector.flush());
    schedule();
  };

  win.addEventListener('keydown', onKeyDown, true);
  win.addEventListener('keyup', onKeyUp, true);
  win.addEventListener('blur', onBlur);

  return {
    update(next) {
      detector.update(next);
    },
    detach() {
      win.removeEventListener('keydown', onKeyDown, true);
      win.removeEventListener('keyup', onKeyUp, true);
      win.removeEventListener('blur', onBlur);
      perform(detector.flush());
      if (timer !== null) win.clearTimeout(timer);
      timer = null;
    },
  };
}

export type CalibrationRecording = Readonly<{
  /** How many test scans to record. */
  count: number;
  target?: Window;
  /** A scan without Enter/Tab suffix ends after this long without a key. */
  idleMs?: number;
  /** Give up (resolving with what was recorded) after this long. */
  timeoutMs?: number;
  signal?: AbortSignal;
}>;

/**
 * Records the key timing of a few test scans for `calibrateWedge`. While recording, every key is
 * kept from the page: the installer is scanning a test card, not typing. Detach the wedge first.
 */
export function recordCalibrationScans(options: CalibrationRecording): Promise<CalibrationScan[]> {
  const win = options.target ?? window;
  const idleMs = options.idleMs ?? 500;
  const scans: Array<Array<{ code: string; at: number }>> = [];
  let current: Array<{ code: string; at: number }> = [];
  return new Promise((resolve) => {
    let idle: ReturnType<typeof setTimeout> | null = null;
    const finish = (): void => {
      if (current.length > 0) scans.push(current);
      current = [];
      win.removeEventListener('keydown', onKeyDown, true);
      win.removeEventListener('keyup', onKeyUp, true);
      if (idle !== null) win.clearTimeout(idle);
      win.clearTimeout(overall);
      resolve(scans.slice(0, options.count));
    };
    const endScan = (): void => {
      if (current.length > 0) scans.push(current);
      current = [];
      if (scans.length >= options.count) finish();
    };
    const onKeyDown = (event: KeyboardEvent): void => {
      event.preventDefault();
      event.stopImmediatePropagation();
      if (event.repeat) return;
      current.push({ code: event.code, at: event.timeStamp });
      if (idle !== null) win.clearTimeout(idle);
      idle = null;
      if (event.code === 'Enter' || event.code === 'NumpadEnter' || event.code === 'Tab') endScan();
      else idle = win.setTimeout(endScan, idleMs);
    };
    const onKeyUp = (event: KeyboardEvent): void => {
      event.preventDefault();
      event.stopImmediatePropagation();
    };
    const overall = win.setTimeout(finish, options.timeoutMs ?? 60_000);
    options.signal?.addEventListener('abort', finish, { once: true });
    win.addEventListener('keydown', onKeyDown, true);
    win.addEventListener('keyup', onKeyUp, true);
  });
}

function editableField(target: EventTarget | null): HTMLInputElement | HTMLTextAreaElement | null {
  if (target instanceof HTMLTextAreaElement) return target;
  if (target instanceof HTMLInputElement && !['checkbox', 'radio', 'button', 'submit', 'reset', 'file', 'image', 'range', 'color'].includes(target.type)) return target;
  return null;
}

function safeSelection(element: HTMLInputElement | HTMLTextAreaElement, which: 'start' | 'end'): number | null {
  try {
    return which === 'start' ? element.selectionStart : element.selectionEnd;
  } catch {
    return null;
  }
}

/**
 * Sets a field's value the way typing would be seen: through the prototype's setter (so React's
 * value tracking notices) and with an input event.
 */
function setNativeValue(element: HTMLInputElement | HTMLTextAreaElement, value: string): void {
  const proto = element instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  const setter = Object.getOwnPropertyDescriptor(proto, 'value')?.set;
  if (setter) setter.call(element, value);
  else element.value = value;
  element.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertReplacementText' }));
}

/** Types text into the field as the keyboard would have (caret, selection, undo, input events). */
function insertText(doc: Document, target: EventTarget, text: string): void {
  const field = editableField(target);
  if (field && doc.activeElement === field) {
    // execCommand is deprecated but remains the one way to insert text exactly as typing does.
    if (doc.execCommand('insertText', false, text)) return;
  }
  if (field) {
    const start = safeSelection(field, 'start');
    const end = safeSelection(field, 'end');
    if (start !== null && end !== null) {
      field.setRangeText(text, start, end, 'end');
      field.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertText', data: text }));
    } else {
      setNativeValue(field, field.value + text);
    }
    return;
  }
  if (target instanceof HTMLElement && target.isContentEditable && doc.activeElement === target) doc.execCommand('insertText', false, text);
}
