/**
 * USB HID scanners through `node-hid`: find the scanner by VID/PID (and usage page), open it,
 * decode each input report (`hid-reports.ts`), and reopen it when it comes back after an unplug.
 * node-hid is loaded lazily so a missing native module is a clear message, not a crash at start.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { createDeviceStatus, safely } from './device-status.ts';
import type { ScannerErrorCode, ScannerSink } from '../../shared/scan/events.ts';
import type { HidMode, HidScannerSettings } from '../../shared/scan/settings.ts';
import { createKeyboardReportDecoder, createPosReportDecoder, hex4, type HidReportDecoder } from './hid-reports.ts';

export const USAGE_PAGE_GENERIC_DESKTOP = 0x01;
export const USAGE_KEYBOARD = 0x06;
export const USAGE_PAGE_BARCODE_SCANNER = 0x8c;

export type HidDeviceInfo = Readonly<{
  path: string;
  vendorId: number;
  productId: number;
  usagePage?: number;
  usage?: number;
  interface?: number;
  manufacturer?: string;
  product?: string;
  serialNumber?: string;
}>;

/** An open device: what node-hid's HIDAsync offers, reduced to what a scanner needs. */
export type HidConnection = {
  onData(listener: (report: Uint8Array) => void): void;
  onError(listener: (error: Error) => void): void;
  close(): Promise<void>;
};

export type HidBackend = Readonly<{
  devices(): Promise<readonly HidDeviceInfo[]>;
  open(path: string): Promise<HidConnection>;
}>;

type NodeHidModule = typeof import('node-hid');

/** node-hid as a backend, or why it cannot be loaded (missing libusb/libudev, wrong arch). */
export async function loadNodeHidBackend(): Promise<{ ok: true; backend: HidBackend } | { ok: false; message: string }> {
  let hid: NodeHidModule;
  try {
    hid = await import('node-hid');
  } catch (error) {
    return {
      ok: false,
      message: `USB HID support is not available on this PC (${error instanceof Error ? error.message : String(error)}); use the scanner in keyboard mode instead.`,
    };
  }
  return {
    ok: true,
    backend: {
      async devices() {
        const found = await hid.devicesAsync();
        return found.flatMap((d) => (d.path ? [toInfo(d, d.path)] : []));
      },
      async open(path) {
        const device = await hid.HIDAsync.open(path);
        return {
          onData: (listener) => device.on('data', (data: Buffer) => listener(data)),
          onError: (listener) => device.on('error', (error: unknown) => listener(error instanceof Error ? error : new Error(String(error)))),
          close: async () => {
            device.removeAllListeners('data');
            await device.close();
          },
        };
      },
    },
  };
}

function toInfo(d: import('node-hid').Device, path: string): HidDeviceInfo {
  const info: { -readonly [K in keyof HidDeviceInfo]: HidDeviceInfo[K] } = { path, vendorId: d.vendorId, productId: d.productId, interface: d.interface };
  if (d.usagePage !== undefined) info.usagePage = d.usagePage;
  if (d.usage !== undefined) info.usage = d.usage;
  if (d.manufacturer) info.manufacturer = d.manufacturer;
  if (d.product) info.product = d.product;
  if (d.serialNumber) info.serialNumber = d.serialNumber;
  return info;
}

/** HID devices that look like scanners: HID POS interfaces first, then keyboards. */
export async function listHidDevices(backend?: HidBackend): Promise<{ ok: true; devices: readonly HidDeviceInfo[] } | { ok: false; message: string }> {
  let chosen = backend;
  if (!chosen) {
    const loaded = await loadNodeHidBackend();
    if (!loaded.ok) return loaded;
    chosen = loaded.backend;
  }
  try {
    const devices = await chosen.devices();
    return { ok: true, devices: [...devices].sort((a, b) => rank(a) - rank(b)) };
  } catch (error) {
    return { ok: false, message: `Cannot list USB HID devices: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function rank(d: HidDeviceInfo): number {
  if (d.usagePage === USAGE_PAGE_BARCODE_SCANNER) return 0;
  if (d.usagePage === USAGE_PAGE_GENERIC_DESKTOP && d.usage === USAGE_KEYBOARD) return 1;
  return 2;
}

export type HidChoice = Readonly<{ device: HidDeviceInfo; mode: Exclude<HidMode, 'auto'> }>;

/**
 * Picks the interface to read. A scanner often exposes several (HID POS, keyboard, vendor
 * control); in 'auto' the POS one wins because it carries the symbology and cannot be mistyped.
 */
export function chooseHidInterface(devices: readonly HidDeviceInfo[], settings: Pick<HidScannerSettings, 'vendorId' | 'productId' | 'usagePage' | 'mode'>): HidChoice | null {
  const matching = devices.filter(
    (d) => (settings.vendorId === null || d.vendorId === settings.vendorId) && (settings.productId === null || d.productId === settings.productId),
  );
  const isPos = (d: HidDeviceInfo): boolean => d.usagePage === USAGE_PAGE_BARCODE_SCANNER;
  const isKeyboard = (d: HidDeviceInfo): boolean => d.usagePage === USAGE_PAGE_GENERIC_DESKTOP && d.usage === USAGE_KEYBOARD;
  const modeOf = (d: HidDeviceInfo): Exclude<HidMode, 'auto'> => (settings.mode !== 'auto' ? settings.mode : isKeyboard(d) ? 'keyboard' : 'pos');
  if (settings.usagePage !== null) {
    const found = matching.find((d) => d.usagePage === settings.usagePage);
    return found ? { device: found, mode: modeOf(found) } : null;
  }
  const pos = matching.find(isPos);
  const keyboard = matching.find(isKeyboard);
  const pick = settings.mode === 'keyboard' ? (keyboard ?? pos) : settings.mode === 'pos' ? (pos ?? keyboard) : (pos ?? keyboard);
  // Some platforms do not report usage pages: then any interface of the VID:PID will do.
  const fallback = pick ?? (settings.vendorId !== null ? matching[0] : undefined);
  return fallback ? { device: fallback, mode: modeOf(fallback) } : null;
}

export type HidScannerOptions = Readonly<{
  settings: HidScannerSettings;
  sink: ScannerSink;
  /** Defaults to node-hid; tests pass a Fake backend that replays recorded reports. */
  backend?: HidBackend;
  now?: () => number;
  platform?: NodeJS.Platform;
}>;

export type HidScannerHandle = {
  readonly device: string;
  readonly connected: boolean;
  stop(): Promise<void>;
};

export function hidDeviceName(vendorId: number | null, productId: number | null): string {
  return `hid:${vendorId === null ? '*' : hex4(vendorId)}:${productId === null ? '*' : hex4(productId)}`;
}

export function startHidScanner(options: HidScannerOptions): HidScannerHandle {
  const { settings, sink } = options;
  const now = options.now ?? Date.now;
  const platform = options.platform ?? process.platform;
  const device = hidDeviceName(settings.vendorId, settings.productId);

  let backend: HidBackend | null = options.backend ?? null;
  let connection: HidConnection | null = null;
  let decoder: HidReportDecoder | null = null;
  let stopped = false;
  let connected = false;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let idleTimer: ReturnType<typeof setTimeout> | null = null;

  const { report, setState, clearError } = createDeviceStatus('hid', device, sink, now);

  const deliver = (outputs: ReturnType<HidReportDecoder['push']>): void => {
    for (const output of outputs) {
      if (output.type === 'error') {
        report(output.code, output.message);
        continue;
      }
      clearError();
      const read = output.symbology
        ? { source: 'hid' as const, device, raw: output.text, symbology: output.symbology, at: now() }
        : { source: 'hid' as const, device, raw: output.text, at: now() };
      safely(() => sink.read(read));
    }
  };

  /** The one path every report takes, whether node-hid or a recorded stream supplies it. */
  const onReport = (bytes: Uint8Array): void => {
    const active = decoder;
    if (!active) return;
    deliver(active.push(bytes));
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = null;
    if (active.pending > 0) {
      idleTimer = setTimeout(() => {
        idleTimer = null;
        if (decoder === active) deliver(active.flush());
      }, settings.idleGapMs);
    }
  };

  const scheduleRetry = (): void => {
    if (stopped || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      void connect();
    }, settings.reconnectIntervalMs);
  };

  const dropConnection = async (): Promise<void> => {
    const old = connection;
    connection = null;
    decoder = null;
    connected = false;
    if (idleTimer) {
      clearTimeout(idleTimer);
      idleTimer = null;
    }
    if (old) {
      try {
        await old.close();
      } catch {
        // Closing a device that is already gone fails; it is gone either way.
      }
    }
  };

  const connect = async (): Promise<void> => {
    if (stopped) return;
    if (settings.vendorId === null && settings.usagePage === null) {
      report('not_configured', 'No USB scanner is configured: set its vendor and product id (see `gcterm scan --list`).');
      return;
    }
    if (!backend) {
      const loaded = await loadNodeHidBackend();
      if (!loaded.ok) {
        report('driver_unavailable', loaded.message);
        return;
      }
      backend = loaded.backend;
    }
    setState('connecting');
    let choice: HidChoice | null;
    try {
      choice = chooseHidInterface(await backend.devices(), settings);
    } catch (error) {
      report('read_failed', `Cannot list USB devices: ${messageOf(error)}`);
      setState('disconnected');
      scheduleRetry();
      return;
    }
    if (!choice) {
      report('not_found', `USB scanner ${device} is not plugged in (or is in another USB mode); waiting for it.`);
      setState('disconnected');
      scheduleRetry();
      return;
    }
    if (stopped) return;
    let opened: HidConnection;
    try {
      opened = await backend.open(choice.device.path);
    } catch (error) {
      const [code, message] = await describeHidOpenError(choice, error, platform);
      report(code, message);
      setState('disconnected');
      if (code !== 'unsupported') scheduleRetry();
      return;
    }
    if (stopped) {
      await opened.close().catch(() => undefined);
      return;
    }
    connection = opened;
    decoder = choice.mode === 'pos' ? createPosReportDecoder() : createKeyboardReportDecoder();
    opened.onData((bytes) => {
      if (connection === opened) onReport(bytes);
    });
    opened.onError((error) => {
      if (connection !== opened || stopped) return;
      void dropConnection().then(() => {
        report('disconnected', `USB scanner ${device} was disconnected (${error.message}); reconnecting when it is back.`);
        setState('disconnected');
        scheduleRetry();
      });
    });
    connected = true;
    clearError();
    setState('connected');
  };

  void connect();

  return {
    device,
    get connected() {
      return connected;
    },
    async stop() {
      stopped = true;
      if (retryTimer) {
        clearTimeout(retryTimer);
        retryTimer = null;
      }
      await dropConnection();
    },
  };
}

/** The udev rule docs/scanners.md explains; included in the message so it can be acted on at once. */
export function udevRule(vendorId: number, productId: number): string {
  return `SUBSYSTEM=="hidraw", ATTRS{idVendor}=="${hex4(vendorId)}", ATTRS{idProduct}=="${hex4(productId)}", MODE="0660", GROUP="plugdev", TAG+="uaccess"`;
}

/** Can this process read and write the device node? Rejects with the errno error when not. */
export type AccessCheck = (path: string) => Promise<void>;

const checkReadWrite: AccessCheck = (path) => access(path, constants.R_OK | constants.W_OK);

export async function describeHidOpenError(
  choice: HidChoice,
  error: unknown,
  platform: NodeJS.Platform,
  canAccess: AccessCheck = checkReadWrite,
): Promise<[ScannerErrorCode, string]> {
  const { device, mode } = choice;
  const id = `${hex4(device.vendorId)}:${hex4(device.productId)}`;
  const text = messageOf(error);
  if (platform === 'win32' && mode === 'keyboard') {
    return [
      'unsupported',
      `Windows does not let programs read a keyboard-mode scanner (${id}) directly. Program the scanner for "USB HID POS" mode, or use it as a keyboard (keyboard-wedge mode).`,
    ];
  }
  if (platform === 'darwin' && mode === 'keyboard') {
    return ['permission_denied', `macOS blocks reading keyboard-mode scanner ${id}: allow gcterm under Privacy & Security → Input Monitoring, or use HID POS mode.`];
  }
  if (platform === 'linux' && device.path.startsWith('/dev/')) {
    try {
      await canAccess(device.path);
    } catch (accessError) {
      if (isErrno(accessError, 'EACCES') || isErrno(accessError, 'EPERM')) {
        return [
          'permission_denied',
          `No permission to read USB scanner ${id} (${device.path}). Add the udev rule ${udevRule(device.vendorId, device.productId)} to /etc/udev/rules.d/70-gcterm-scanner.rules, run "sudo udevadm control --reload", then unplug and replug the scanner (docs/scanners.md).`,
        ];
      }
    }
  }
  if (/busy|exclusive|access denied/i.test(text)) {
    return ['busy', `USB scanner ${id} is held by another program; close it and the scanner reconnects.`];
  }
  return ['open_failed', `Cannot open USB scanner ${id}: ${text}`];
}

function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && (error as { code: unknown }).code === code;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

