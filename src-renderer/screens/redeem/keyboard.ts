/**
 * Keyboard input on the Redeem screen: one capture-phase listener that tells a keyboard-wedge
 * scanner (a burst of keys a few milliseconds apart, ending in Enter) from a person at the keypad.
 *
 * Printable keys are held back briefly (`holdMs`): if the next key arrives within `maxGapMs` they
 * are part of a burst; if Enter ends a long enough burst it is a scan and the keypad never sees
 * any of it — so a scanner's Enter can never confirm an amount. Everything else is handed to the
 * keypad as typing. Focused text fields are left alone (manual code entry, settings).
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
  let held: Held[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;

  const isBurst = (now: number): boolean => {
    if (held.length < minLength) return false;
    for (let i = 1; i < held.length; i++) {
      const gap = (held[i]?.at ?? 0) - (held[i - 1]?.at ?? 0);
      if (gap > maxGapMs) return false;
    }
    const last = held[held.length - 1];
    return last !== undefined && now - last.at <= maxGapMs;
  };

  const flush = (): void => {
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
    if (key.length === 1 && key !== ' ') {
      event.preventDefault();
      held.push({ key, at: now });
      if (timer) clearTimeout(timer);
      timer = setTimeout(flush, holdMs);
      return;
    }
    if (key === 'Enter' || key === 'Tab') {
      if (isBurst(now)) {
        event.preventDefault();
        event.stopPropagation();
        const text = held.map((k) => k.key).join('');
        held = [];
        if (timer) clearTimeout(timer);
        timer = null;
        options.onScan(text, Math.round(now));
        return;
      }
      flush();
      if (key === 'Enter' && !focusWantsEnter()) {
        event.preventDefault();
        options.onKey('Enter');
      }
      return;
    }
    if (key === 'Backspace' || key === 'Escape' || key === 'Delete') {
      flush();
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
    },
  };
}
