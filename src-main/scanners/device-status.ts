/**
 * What a hardware scanner driver tells its sink about itself: errors once per distinct problem
 * (a scanner that stays unplugged is reported once, not at every retry) and connection state
 * changes only. Shared by the serial and HID drivers.
 */
import type { ScannerErrorCode, ScannerSink } from '../../shared/scan/events.ts';

export type ConnectionState = 'connecting' | 'connected' | 'disconnected';

export type DeviceStatus = Readonly<{
  report(code: ScannerErrorCode, message: string): void;
  setState(state: ConnectionState): void;
  /** After a good read or a reconnect: the same problem, if it comes back, is news again. */
  clearError(): void;
}>;

/** A sink is someone else's code: its failure must not stop the device. */
export function safely(action: () => void): void {
  try {
    action();
  } catch {
    // Deliberately swallowed: the pipeline wraps listeners and reports their failures itself.
  }
}

export function createDeviceStatus(source: 'serial' | 'hid', device: string, sink: ScannerSink, now: () => number): DeviceStatus {
  let lastErrorKey = '';
  let lastState: ConnectionState | null = null;
  return {
    report(code, message) {
      const key = `${code}:${message}`;
      if (key === lastErrorKey) return;
      lastErrorKey = key;
      safely(() => sink.error({ source, device, code, message, at: now() }));
    },
    setState(state) {
      if (state === lastState || (state === 'connecting' && lastState === 'disconnected')) return;
      lastState = state;
      safely(() => sink.status({ source, device, state, at: now() }));
    },
    clearError() {
      lastErrorKey = '';
    },
  };
}
