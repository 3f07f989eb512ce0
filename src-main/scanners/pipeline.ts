/**
 * The core's scanner hub: starts the serial and USB HID scanners the settings enable, runs every
 * read — theirs and those the renderer forwards from the keyboard wedge and camera — through the
 * one shared pipeline (shared/scan/pipeline.ts), and hands listeners a single stream of scan, rejection,
 * error and status events. Nothing a scanner or a listener does can throw out of here.
 */
import type { CodeKind } from '../../shared/codes.ts';
import type { ScannerSink, ScanPipelineEvent } from '../../shared/scan/events.ts';
import { createScanPipeline, type ScanPipeline } from '../../shared/scan/pipeline.ts';
import type { ScannerSettings } from '../../shared/scan/settings.ts';
import { startHidScanner, type HidBackend, type HidScannerHandle } from './hid.ts';
import { startSerialScanner, type SerialPortFactory, type SerialScannerHandle } from './serial.ts';

export type ScannerHubOptions = Readonly<{
  settings: ScannerSettings;
  /** Injected drivers for tests (binding-mock ports, a Fake HID backend). */
  openSerialPort?: SerialPortFactory;
  hidBackend?: HidBackend;
  now?: () => number;
}>;

export type ScanListener<K> = (event: ScanPipelineEvent<K>) => void;

export type ScannerHub<K> = {
  /** Opens the serial and HID scanners enabled in the settings; they reconnect on their own. */
  start(): void;
  /** Closes every scanner. Safe to call twice. */
  stop(): Promise<void>;
  /** Applies new settings: restarts the drivers (cheap: a port reopen). */
  update(settings: ScannerSettings): Promise<void>;
  subscribe(listener: ScanListener<K>): () => void;
  /** Forget recent codes, so the same card can be scanned again at once (e.g. after Cancel). */
  resetDuplicates(): void;
  readonly settings: ScannerSettings;
};

export function createScannerHub(options: ScannerHubOptions): ScannerHub<CodeKind>;
export function createScannerHub<K>(options: ScannerHubOptions, classify: (text: string) => K): ScannerHub<K>;
export function createScannerHub<K>(options: ScannerHubOptions, classify?: (text: string) => K): ScannerHub<K | CodeKind> {
  const now = options.now ?? Date.now;
  let settings = options.settings;
  const makePipeline = (): ScanPipeline<K | CodeKind> => (classify ? createScanPipeline(settings.text, classify) : createScanPipeline(settings.text));
  let pipeline = makePipeline();
  const listeners = new Set<ScanListener<K | CodeKind>>();
  let serial: SerialScannerHandle | null = null;
  let hid: HidScannerHandle | null = null;
  let dispatching = false;

  const emit = (event: ScanPipelineEvent<K | CodeKind>): void => {
    const failures: unknown[] = [];
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch (error) {
        failures.push(error);
      }
    }
    // Tell the other listeners (e.g. the log) once; a listener failing on that is not retold.
    if (failures.length > 0 && !dispatching) {
      dispatching = true;
      try {
        const first = failures[0];
        emit({
          type: 'error',
          error: {
            source: event.type === 'scan' ? event.scan.source : event.type === 'rejected' ? event.read.source : event.type === 'error' ? event.error.source : event.status.source,
            device: 'gcterm',
            code: 'listener_failed',
            message: `A scan listener failed: ${first instanceof Error ? first.message : String(first)}`,
            at: now(),
          },
        });
      } finally {
        dispatching = false;
      }
    }
  };

  const sink: ScannerSink = {
    read: (read) => emit(pipeline.process(read)),
    error: (error) => emit({ type: 'error', error }),
    status: (status) => emit({ type: 'status', status }),
  };

  const startDrivers = (): void => {
    if (settings.serial.enabled && !serial) {
      serial = startSerialScanner({
        settings: settings.serial,
        sink,
        now,
        ...(options.openSerialPort ? { openPort: options.openSerialPort } : {}),
      });
    }
    if (settings.hid.enabled && !hid) {
      hid = startHidScanner({ settings: settings.hid, sink, now, ...(options.hidBackend ? { backend: options.hidBackend } : {}) });
    }
  };

  const stopDrivers = async (): Promise<void> => {
    const stopping: Promise<void>[] = [];
    if (serial) stopping.push(serial.stop());
    if (hid) stopping.push(hid.stop());
    serial = null;
    hid = null;
    await Promise.allSettled(stopping);
  };

  let started = false;
  return {
    start() {
      started = true;
      startDrivers();
    },
    async stop() {
      started = false;
      await stopDrivers();
    },
    async update(next) {
      settings = next;
      pipeline = makePipeline();
      await stopDrivers();
      if (started) startDrivers();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    resetDuplicates() {
      pipeline.reset();
    },
    get settings() {
      return settings;
    },
  };
}
