/**
 * The shell's side of the serial and USB HID scanners (either shell: browser mode or Electron).
 * Starts the scanner hub (src-main/scanners) with the terminal's scanner settings, reports each
 * scanner's connection to the core for the status bar (`setScanners`), and turns accepted reads
 * into `scan` events for the page, which treats them like a keyboard-wedge scan.
 */
import type { CoreEvent, ScannerStatusView } from '../../shared/contract.ts';
import { withScannerDefaults, type ScannerSettingsPatch } from '../../shared/scan/settings.ts';
import type { Core } from '../core.ts';
import { createLogger } from '../log.ts';
import { createScannerHub } from '../scanners/pipeline.ts';

const log = createLogger('scanners');

export type HardwareScanners = Readonly<{
  onEvent(listener: (event: CoreEvent) => void): () => void;
  stop(): Promise<void>;
}>;

export function startHardwareScanners(core: Pick<Core, 'setScanners' | 'terminal' | 'onEvent'>): HardwareScanners {
  const settings = withScannerDefaults(core.terminal.config.settings.scanners as ScannerSettingsPatch);
  const hub = createScannerHub({ settings });
  const listeners = new Set<(event: CoreEvent) => void>();
  const statuses = new Map<string, ScannerStatusView>();
  const publish = (): void => core.setScanners([...statuses.values()]);

  hub.subscribe((event) => {
    switch (event.type) {
      case 'scan': {
        const { source, device, text, at } = event.scan;
        if (source !== 'serial' && source !== 'hid') return;
        const scan: CoreEvent = { type: 'scan', source, device, text, at };
        for (const listener of listeners) listener(scan);
        return;
      }
      case 'status': {
        const { source, device, state } = event.status;
        statuses.set(`${source}:${device}`, { source, device, connected: state === 'connected' });
        publish();
        return;
      }
      case 'error': {
        const { source, device, message, code } = event.error;
        const key = `${source}:${device}`;
        statuses.set(key, { source, device, connected: statuses.get(key)?.connected ?? false, message });
        publish();
        log.warn('scanner problem', { source, device, code });
        return;
      }
      case 'rejected':
        log.info('scan rejected', { source: event.read.source, reason: event.reason });
        return;
    }
  });
  hub.start();

  // Settings a manager saves reach the running scanners: drivers are restarted only on a change.
  let applied = JSON.stringify(settings);
  const offSettings = core.onEvent((event) => {
    if (event.type !== 'status') return;
    const next = JSON.stringify(event.status.scannerSettings);
    if (next === applied) return;
    applied = next;
    statuses.clear();
    publish();
    hub.update(event.status.scannerSettings).catch((error: unknown) => log.error('scanner settings not applied', { message: (error as Error).message }));
  });

  return {
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async stop() {
      offSettings();
      listeners.clear();
      await hub.stop();
    },
  };
}
