/**
 * Serial (RS-232 / USB-CDC) scanners through the `serialport` package. The port is opened with the
 * configured line settings, bytes are cut into codes by `framing.ts`, and the port is reopened on
 * its own whenever it goes away (cable pulled, USB adapter replugged, scanner power-cycled).
 * Nothing here throws at the caller: every failure reaches the sink as a `ScannerError`.
 */
import { access } from 'node:fs/promises';
import { SerialPort, type SerialPortMock } from 'serialport';
import { createDeviceStatus, safely } from './device-status.ts';
import type { ScannerErrorCode, ScannerSink } from '../../shared/scan/events.ts';
import type { SerialScannerSettings } from '../../shared/scan/settings.ts';
import { createFrameDecoder, frameText } from './framing.ts';

/** What `openPort` receives; mirrors serialport's open options. */
export type SerialOpenOptions = Readonly<{
  path: string;
  baudRate: number;
  dataBits: 7 | 8;
  parity: SerialScannerSettings['parity'];
  stopBits: 1 | 2;
  autoOpen: false;
}>;

/** The real `SerialPort`, or `SerialPortMock` (on @serialport/binding-mock) in unit tests. */
export type SerialPortFactory = (options: SerialOpenOptions) => SerialPort | SerialPortMock;

export type SerialScannerOptions = Readonly<{
  settings: SerialScannerSettings;
  sink: ScannerSink;
  openPort?: SerialPortFactory;
  /**
   * An unfinished code older than this is dropped before new bytes are added to it, so the tail
   * of a code cut off by an unplug never glues onto the next one.
   */
  stalePartialMs?: number;
  /**
   * Whether the port's device node still exists; checked while connected. Defaults to a file
   * check on Linux and macOS; Windows COM ports are not files, and binding-mock ports are not
   * either, so those rely on serialport's own error.
   */
  checkPresence?: ((path: string) => Promise<boolean>) | null;
  now?: () => number;
}>;

export type SerialScannerHandle = {
  readonly device: string;
  readonly connected: boolean;
  /** Closes the port and stops reconnecting. */
  stop(): Promise<void>;
};

const defaultOpenPort: SerialPortFactory = (options) => new SerialPort({ ...options });

export function startSerialScanner(options: SerialScannerOptions): SerialScannerHandle {
  const { settings, sink } = options;
  const now = options.now ?? Date.now;
  const openPort = options.openPort ?? defaultOpenPort;
  const stalePartialMs = options.stalePartialMs ?? 2000;
  const checkPresence = options.checkPresence === undefined ? (process.platform === 'win32' ? null : pathExists) : options.checkPresence;
  const device = settings.path ?? '';
  const decoder = createFrameDecoder({ framing: settings.framing });

  let port: SerialPort | SerialPortMock | null = null;
  let connected = false;
  let stopped = false;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let idleTimer: ReturnType<typeof setTimeout> | null = null;
  let presenceTimer: ReturnType<typeof setInterval> | null = null;
  let lastByteAt = 0;

  const { report, setState, clearError } = createDeviceStatus('serial', device, sink, now);

  const deliverFrames = (outputs: ReturnType<typeof decoder.push>): void => {
    for (const output of outputs) {
      if (output.type === 'overflow') {
        report('frame_overflow', `Serial scanner on ${device} sent over ${output.dropped} bytes without a code terminator; check the framing (${settings.framing}) and baud rate (${settings.baudRate}).`);
        continue;
      }
      // A good frame means the line is healthy again: let the next problem be reported.
      clearError();
      const raw = frameText(output.bytes);
      safely(() => sink.read({ source: 'serial', device, raw, at: now() }));
    }
  };

  const onData = (chunk: Buffer): void => {
    const at = now();
    if (decoder.pending > 0 && at - lastByteAt > stalePartialMs) {
      const dropped = decoder.pending;
      decoder.reset();
      report('read_failed', `Dropped ${dropped} bytes of an unfinished code from ${device} (no terminator for ${Math.round((at - lastByteAt) / 1000)} s).`);
    }
    lastByteAt = at;
    deliverFrames(decoder.push(chunk));
    if (settings.framing === 'idle') {
      if (idleTimer) clearTimeout(idleTimer);
      idleTimer = setTimeout(() => {
        idleTimer = null;
        deliverFrames(decoder.flush());
      }, settings.idleGapMs);
    }
  };

  const scheduleRetry = (): void => {
    if (stopped || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      connect();
    }, settings.reconnectIntervalMs);
  };

  const dropPort = (): void => {
    const old = port;
    port = null;
    connected = false;
    if (idleTimer) {
      clearTimeout(idleTimer);
      idleTimer = null;
    }
    if (presenceTimer) {
      clearInterval(presenceTimer);
      presenceTimer = null;
    }
    decoder.reset();
    if (old) {
      old.removeAllListeners();
      // A port that failed or vanished may still emit a late error; never let it be unhandled.
      old.on('error', () => undefined);
      if (old.isOpen) old.close(() => undefined);
    }
  };

  const lost = (): void => {
    dropPort();
    report('disconnected', `Serial scanner on ${device} was disconnected; reconnecting when it is back.`);
    setState('disconnected');
    scheduleRetry();
  };

  /**
   * serialport notices most unplugs through a read error, but not all: when a pty or USB adapter
   * vanishes between two reads, bindings-cpp can keep reading zero bytes and never report it. The
   * device node disappearing is the one signal every unplug gives, so it is checked as well.
   */
  const watchPresence = (watched: SerialPort | SerialPortMock): void => {
    if (!checkPresence) return;
    const check = checkPresence;
    presenceTimer = setInterval(() => {
      void check(device).then((present) => {
        if (!present && port === watched && !stopped) lost();
      });
    }, Math.max(100, Math.min(settings.reconnectIntervalMs, 1000)));
  };

  const connect = (): void => {
    if (stopped) return;
    if (device === '') {
      report('not_configured', 'No serial port is configured for the scanner.');
      return;
    }
    setState('connecting');
    let candidate: SerialPort | SerialPortMock;
    try {
      candidate = openPort({
        path: device,
        baudRate: settings.baudRate,
        dataBits: settings.dataBits,
        parity: settings.parity,
        stopBits: settings.stopBits,
        autoOpen: false,
      });
    } catch (error) {
      // serialport throws synchronously on invalid options (e.g. an unsupported baud rate).
      report('open_failed', `Cannot use serial port ${device}: ${messageOf(error)}`);
      setState('disconnected');
      return;
    }
    port = candidate;
    candidate.on('data', onData);
    candidate.on('error', (error: Error) => {
      if (port !== candidate) return;
      report('read_failed', `Serial scanner on ${device}: ${error.message}`);
    });
    candidate.on('close', () => {
      if (port !== candidate || stopped) return;
      lost();
    });
    candidate.open((error) => {
      if (port !== candidate || stopped) {
        if (!error) candidate.close(() => undefined);
        return;
      }
      if (error) {
        dropPort();
        const [code, message] = describeOpenError(device, error);
        report(code, message);
        setState('disconnected');
        scheduleRetry();
        return;
      }
      connected = true;
      clearError();
      decoder.reset();
      watchPresence(candidate);
      setState('connected');
    });
  };

  connect();

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
      const old = port;
      dropPort();
      if (old?.isOpen) {
        await new Promise<void>((done) => old.close(() => done()));
      }
    },
  };
}

/** Turns the OS's open error into what the installer should do about it. */
export function describeOpenError(path: string, error: unknown): [ScannerErrorCode, string] {
  const text = messageOf(error);
  if (/ENOENT|No such file|does not exist|cannot find the file|File not found/i.test(text)) {
    return ['not_found', `Serial port ${path} not found: is the scanner plugged in? Waiting for it.`];
  }
  if (/EACCES|Permission denied|EPERM/i.test(text)) {
    return [
      'permission_denied',
      `No permission to open ${path}. On Linux add the terminal's user to the "dialout" group and log in again (docs/scanners.md).`,
    ];
  }
  if (/EBUSY|busy|Access denied|locked/i.test(text)) {
    return ['busy', `Serial port ${path} is in use by another program; close it (or the other gcterm) and the scanner reconnects.`];
  }
  return ['open_failed', `Cannot open serial port ${path}: ${text}`];
}

async function pathExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch (error) {
    // Only "gone" counts as gone; a permission hiccup must not drop a working port.
    return !(typeof error === 'object' && error !== null && 'code' in error && (error as { code: unknown }).code === 'ENOENT');
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
