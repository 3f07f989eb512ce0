/**
 * A native modal <dialog> opened with showModal() while the component is mounted: Chromium makes
 * the rest of the page inert (pointer, screen reader, Tab never reaches it) and Esc fires
 * `cancel`. What the native dialog does not do is keep Tab from leaving for the browser's own
 * toolbar after the last control; here Tab wraps from the last control to the first (and
 * Shift+Tab back). On close, focus goes back to what had it before — the list, the button
 * pressed — or, when that is gone, to `fallback` (a selector), never to the page body.
 */
import { useCallback, useEffect, useRef } from 'react';

const TABBABLE = 'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';

function tabbables(dialog: HTMLDialogElement): HTMLElement[] {
  return [...dialog.querySelectorAll<HTMLElement>(TABBABLE)].filter((el) => el.tabIndex >= 0 && el.getClientRects().length > 0);
}

function wrapTab(event: KeyboardEvent): void {
  if (event.key !== 'Tab' || event.defaultPrevented) return;
  const dialog = event.currentTarget as HTMLDialogElement;
  const controls = tabbables(dialog);
  const first = controls[0];
  const last = controls.at(-1);
  if (!first || !last) return;
  const active = document.activeElement;
  if (event.shiftKey && (active === first || !dialog.contains(active))) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && (active === last || !dialog.contains(active))) {
    event.preventDefault();
    first.focus();
  }
}

export function useModalDialog(fallback = '[data-testid="journal-list"]'): (el: HTMLDialogElement | null) => void {
  const opener = useRef<HTMLElement | null>(null);
  const dialog = useRef<HTMLDialogElement | null>(null);

  useEffect(() => {
    return () => {
      const el = dialog.current;
      el?.removeEventListener('keydown', wrapTab);
      el?.close();
      const back = opener.current;
      const target = back && back.isConnected ? back : document.querySelector<HTMLElement>(fallback);
      target?.focus({ preventScroll: true });
    };
  }, [fallback]);

  return useCallback((el: HTMLDialogElement | null) => {
    if (!el || el.open) return;
    dialog.current = el;
    const active = document.activeElement;
    opener.current = active instanceof HTMLElement && active !== document.body ? active : null;
    el.addEventListener('keydown', wrapTab);
    el.showModal();
    // React's autoFocus ran while the dialog was still closed: focus the chosen control now.
    el.querySelector<HTMLElement>('[data-autofocus]')?.focus();
  }, []);
}
