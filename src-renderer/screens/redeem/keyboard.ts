/**
 * Keyboard input on the Redeem screen: one capture-phase listener that tells a keyboard-wedge
 * scanner (a burst of keys a few milliseconds apart, ending in Enter) from a person at the keypad.
 *
 * Timing comes from the events' own timestamps (when the keyboard produced them), not from when
 * the page got round to handling them, so a busy page does not split a scan. A run of keys each
 * within `maxGapMs` of the last is a burst; Enter (or Tab) right after a burst of at least
 * `minLength` keys is a scan, and that Enter never reaches the keypad — a scanner can never
 * confirm an amount. Printable keys are handed to the keypad after `holdMs` (so a burst usually
 * never shows as typing at all); if some were shown before the scan completed, the scan replaces
 * them (a new scan clears the amount). Focused text fields are left alone (manual entry, settings).
 *
 * This is the integration point for src-renderer/scanners (the keyboard-wedge detector being
 * built there): the Redeem screen only depends on `KeyboardInput` below.
 */
export type KeyboardInput = Readonly<{ stop(): void }>;

export type KeyboardInputOptions = Readonly<{
  onScan(text: string, at: number): void;
  /** A key the person typed: a printable character, 'Enter', 'Backspace', 'Escape' or 'Delete'. */
  onKey(key: string): void;
  maxGapMs?: number;
  holdMs?: number;
  minLength?: number;
}>;

type Held = { key: string; at: number };

const isEditable = (target: EventTarget | null): boolean => {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) return !['button', 'checkbox', 'radio', 'submit', 'reset'].includes(target.type);
  return false;
};

/** Whether Enter would already do something where focus is (a focused button, link, dialog). */
const focusWantsEnter = (): boolean => {
  const active = document.activeElement;
  return active instanceof HTMLElement && active !== document.body && active.closest('button, a, [role="button"], dialog') !== null;
};

export function startKeyboardInput(options: KeyboardInputOptions): KeyboardInput {
  const maxGapMs = options.maxGapMs ?? 50;
  const holdMs = options.holdMs ?? 90;
  const minLength = options.minLength ?? 6;
  /** Keys not yet handed to the keypad. */
  let held: Held[] = [];
  /** The current run of keys each within maxGapMs of the previous one, handed over or not. */
  let burst: Held[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;

  const release = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
    const keys = held;
    held = [];
    for (const k of keys) options.onKey(k.key);
  };

  const onKeyDown = (event: KeyboardEvent): void => {
    if (event.ctrlKey || event.altKey || event.metaKey || event.isComposing) return;
    if (isEditable(event.target)) return;
    if (document.querySelector('dialog[open]')) return;
    const now = event.timeStamp > 0 ? performance.timeOrigin + event.timeStamp : Date.now();
    const key = event.key;
    const last = burst[burst.length - 1];
    const inBurst = last !== undefined && now - last.at <= maxGapMs;
    if (key.length === 1 && key !== ' ') {
      event.preventDefault();
      if (!inBurst) burst = [];
      const entry = { key, at: now };
      burst.push(entry);
      held.push(entry);
      if (timer) clearTimeout(timer);
      timer = setTimeout(release, holdMs);
      return;
    }
    if ((key === 'Enter' || key === 'Tab') && inBurst && burst.length >= minLength) {
      event.preventDefault();
      event.stopPropagation();
      const text = burst.map((k) => k.key).join('');
      burst = [];
      held = [];
      if (timer) clearTimeout(timer);
      timer = null;
      options.onScan(text, Math.round(now));
      return;
    }
    burst = [];
    if (key === 'Enter') {
      release();
      if (!focusWantsEnter()) {
        event.preventDefault();
        options.onKey('Enter');
      }
      return;
    }
    if (key === 'Backspace' || key === 'Escape' || key === 'Delete') {
      release();
      if (key === 'Escape' || !focusWantsEnter()) {
        event.preventDefault();
        options.onKey(key);
      }
    }
  };

  window.addEventListener('keydown', onKeyDown, true);
  return {
    stop() {
      window.removeEventListener('keydown', onKeyDown, true);
      if (timer) clearTimeout(timer);
      held = [];
      burst = [];
    },
  };
}
