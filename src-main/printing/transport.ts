/**
 * Sending bytes to a receipt printer: raw TCP (port 9100), a serial port (serialport), or a
 * device file (Linux /dev/usb/lp0). Before a receipt, the printer is asked for its real-time
 * status (DLE EOT); a printer out of paper, with its cover open, in error, or answering garbage
 * gets nothing (the receipt would be lost) and the caller shows why. Every step has a deadline:
 * a printer never holds anything up for long.
 */
import { open } from 'node:fs/promises';
import { createConnection, type Socket } from 'node:net';
import { SerialPort } from 'serialport';
import { BLOCKING, interpretStatus, STATUS_QUERY, type PrinterCondition } from './escpos.ts';
import type { PrinterTarget } from './target.ts';

export type SendOutcome = Readonly<{ printed: boolean; condition: PrinterCondition; message?: string }>;

export type SendOptions = Readonly<{
  /** Connecting or opening the device. */
  connectTimeoutMs?: number;
  /** Waiting for the three status bytes. */
  statusTimeoutMs?: number;
  /** Writing the receipt. */
  writeTimeoutMs?: number;
}>;

/** A duplex link to a printer: what TCP and serial have in common. */
type Link = Readonly<{
  write(bytes: Uint8Array): Promise<void>;
  onData(listener: (chunk: Buffer) => void): void;
  close(): Promise<void>;
}>;

const withTimeout = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });

function tcpLink(host: string, port: number, timeoutMs: number): Promise<Link> {
  return new Promise((resolve, reject) => {
    const socket: Socket = createConnection({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`tcp://${host}:${port}: no connection within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.on('error', () => socket.destroy());
      resolve({
        write: (bytes) =>
          new Promise<void>((done, fail) => {
            socket.write(bytes, (error) => (error ? fail(error) : done()));
          }),
        onData: (listener) => socket.on('data', listener),
        close: () =>
          new Promise<void>((done) => {
            if (socket.destroyed) return done();
            socket.once('close', () => done());
            socket.end();
            // A peer that never closes its side does not keep us waiting.
            setTimeout(() => socket.destroy(), 1_000).unref();
          }),
      });
    });
  });
}

function serialLink(path: string, baudRate: number): Promise<Link> {
  return new Promise((resolve, reject) => {
    const port = new SerialPort({ path, baudRate, autoOpen: false });
    port.open((error) => {
      if (error) return reject(error);
      port.on('error', () => undefined);
      resolve({
        write: (bytes) =>
          new Promise<void>((done, fail) => {
            port.write(Buffer.from(bytes), (writeError) => {
              if (writeError) return fail(writeError);
              port.drain((drainError) => (drainError ? fail(drainError) : done()));
            });
          }),
        onData: (listener) => port.on('data', listener),
        close: () =>
          new Promise<void>((done) => {
            if (!port.isOpen) return done();
            port.close(() => done());
          }),
      });
    });
  });
}

/** Asks DLE EOT 1/2/4 and waits for three bytes (or the deadline: no answer). */
function queryStatus(link: Link, timeoutMs: number): Promise<PrinterCondition> {
  return new Promise((resolve) => {
    let answer = Buffer.alloc(0);
    const timer = setTimeout(() => resolve(interpretStatus(answer)), timeoutMs);
    link.onData((chunk) => {
      answer = Buffer.concat([answer, chunk]);
      if (answer.length >= 3) {
        clearTimeout(timer);
        resolve(interpretStatus(answer));
      }
    });
    link.write(STATUS_QUERY).catch(() => {
      clearTimeout(timer);
      resolve('unreachable');
    });
  });
}

async function overLink(openLink: () => Promise<Link>, bytes: Uint8Array | null, options: SendOptions): Promise<SendOutcome> {
  let link: Link;
  try {
    link = await withTimeout(openLink(), options.connectTimeoutMs ?? 3_000, 'printer');
  } catch (error) {
    return { printed: false, condition: 'unreachable', message: (error as Error).message };
  }
  try {
    const condition = await queryStatus(link, options.statusTimeoutMs ?? 1_500);
    if (bytes === null || BLOCKING.has(condition)) return { printed: false, condition };
    await withTimeout(link.write(bytes), options.writeTimeoutMs ?? 10_000, 'printer');
    return { printed: true, condition };
  } catch (error) {
    return { printed: false, condition: 'unreachable', message: (error as Error).message };
  } finally {
    await link.close().catch(() => undefined);
  }
}

/** A device file takes the bytes; it gives no status (usblp's is not ESC/POS). */
async function toFile(path: string, bytes: Uint8Array | null): Promise<SendOutcome> {
  try {
    const handle = await open(path, 'a');
    try {
      if (bytes !== null) await handle.write(bytes);
    } finally {
      await handle.close();
    }
    return { printed: bytes !== null, condition: 'ok' };
  } catch (error) {
    return { printed: false, condition: 'unreachable', message: (error as Error).message };
  }
}

/**
 * Sends `bytes` (or, with null, only asks the status). Never throws: the outcome says what
 * happened. `none` and `dialog` are not handled here (nothing to send / the desktop shell prints).
 */
export async function sendToPrinter(target: PrinterTarget, bytes: Uint8Array | null, options: SendOptions = {}): Promise<SendOutcome> {
  switch (target.kind) {
    case 'tcp':
      return overLink(() => tcpLink(target.host, target.port, options.connectTimeoutMs ?? 3_000), bytes, options);
    case 'serial':
      return overLink(() => serialLink(target.path, target.baudRate), bytes, options);
    case 'file':
      return toFile(target.path, bytes);
    case 'none':
    case 'dialog':
      return { printed: false, condition: 'unreachable', message: `no ESC/POS printer (${target.kind})` };
  }
}
