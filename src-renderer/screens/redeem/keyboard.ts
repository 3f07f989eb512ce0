/**
 * Keys for the keypad on the Redeem screen: digits, '.', Enter, Backspace, Escape typed by a
 * person. Listens in the bubble phase, so it only ever sees what the keyboard-wedge detector
 * (src-renderer/scanners/wedge.ts, capture phase) let through: a scanner's keys — its Enter
 * included — never get here, so a scan can never type into or confirm an amount. Typing the
 * wedge held back for a moment arrives here as it is given back.
 *
 * Focused text fields and open dialogs are left alone; Enter is left to a focused button.
 */
export type KeypadKeys = Readonly<{ stop(): void }>;

const isEditable = (target: EventTarget | null): boolean => {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) return !['button', 'checkbox', 'radio', 'submit', 'reset'].includes(target.type);
  return false;
};

/** Whether Enter already means something where focus is (a focused button or link). */
const focusWantsEnter = (): boolean => {
  const active = document.activeElement;
  return active instanceof HTMLElement && active !== document.body && active.closest('button, a, [role="button"]') !== null;
};

/** `onKey` gets a printable character, or 'Enter', 'Backspace', 'Delete', 'Escape'. */
export function startKeypadKeys(onKey: (key: string) => void): KeypadKeys {
  const onKeyDown = (event: KeyboardEvent): void => {
    if (event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey || event.isComposing) return;
    if (isEditable(event.target) || document.querySelector('dialog[open]')) return;
    const key = event.key;
    if (key.length === 1 && key !== ' ') {
      event.preventDefault();
      onKey(key);
    } else if (key === 'Escape') {
      event.preventDefault();
      onKey(key);
    } else if ((key === 'Enter' || key === 'Backspace' || key === 'Delete') && !focusWantsEnter()) {
      event.preventDefault();
      onKey(key);
    }
  };
  window.addEventListener('keydown', onKeyDown);
  return { stop: () => window.removeEventListener('keydown', onKeyDown) };
}
