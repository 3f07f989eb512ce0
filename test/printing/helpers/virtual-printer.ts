/**
 * A virtual ESC/POS printer on a real TCP port (like a network printer's port 9100) or on the far
 * end of a real pseudo-terminal pair (a serial printer): it captures every byte it receives and
 * answers the real-time status queries (DLE EOT n) the way a printer in the configured condition
 * does — or with garbage, or not at all.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { SerialPort } from 'serialport';

export type PrinterMood = 'ok' | 'paper_out' | 'paper_near_end' | 'cover_open' | 'garbage' | 'silent';

/** Status answer bytes for DLE EOT 1, 2, 4 (fixed bits 0x12 always set). */
function answer(n: number, mood: PrinterMood): number[] {
  if (mood === 'silent') return [];
  if (mood === 'garbage') return [0x41 + n]; // "B", "C", "E": not status bytes
  const base = 0x12;
  if (n === 1) return [base];
  if (n === 2) return [base | (mood === 'paper_out' ? 0x20 : 0) | (mood === 'cover_open' ? 0x04 : 0)];
  if (n === 4) return [base | (mood === 'paper_out' ? 0x60 : 0) | (mood === 'paper_near_end' ? 0x0c : 0)];
  return [];
}

export type VirtualPrinter = {
  mood: PrinterMood;
  /** Everything received, across connections. */
  received(): Uint8Array;
  /** Resolves when the bytes received so far satisfy `test`. */
  waitFor(test: (bytes: Uint8Array) => boolean, timeoutMs?: number, what?: string): Promise<Uint8Array>;
  clear(): void;
  close(): Promise<void>;
};

/** Scans a byte stream for DLE EOT n and answers each as it arrives. */
function responder(printer: { mood: PrinterMood }, reply: (bytes: number[]) => void, capture: (chunk: Buffer) => void) {
  let tail: number[] = [];
  return (chunk: Buffer) => {
    capture(chunk);
    const bytes = [...tail, ...chunk];
    let i = 0;
    for (; i < bytes.length; i++) {
      if (bytes[i] === 0x10 && bytes[i + 1] === 0x04) {
        if (i + 2 >= bytes.length) break;
        reply(answer(bytes[i + 2] ?? 0, printer.mood));
        i += 2;
      }
    }
    tail = bytes.slice(Math.min(i, bytes.length)).slice(-2);
  };
}

function base(close: () => Promise<void>): VirtualPrinter {
  let captured = Buffer.alloc(0);
  const waiters = new Set<() => void>();
  const printer: VirtualPrinter & { capture(chunk: Buffer): void } = {
    mood: 'ok',
    capture(chunk) {
      captured = Buffer.concat([captured, chunk]);
      for (const wake of waiters) wake();
    },
    received: () => new Uint8Array(captured),
    waitFor(test, timeoutMs = 5_000, what = 'printer bytes') {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (test(new Uint8Array(captured))) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve(new Uint8Array(captured));
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${what} (${captured.length} bytes received)`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    clear() {
      captured = Buffer.alloc(0);
    },
    close,
  };
  return printer;
}

/** A network printer on 127.0.0.1; `url` is what GCTERM_PRINTER takes. */
export async function startTcpPrinter(): Promise<VirtualPrinter & { url: string; port: number }> {
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  const printer = base(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }) as VirtualPrinter & { capture(chunk: Buffer): void };
  server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.on(
      'data',
      responder(printer, (bytes) => bytes.length > 0 && socket.write(Buffer.from(bytes)), (chunk) => printer.capture(chunk)),
    );
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return Object.assign(printer, { url: `tcp://127.0.0.1:${port}`, port });
}

/** A serial printer: the printer's end of a pty pair, read and answered through `serialport`. */
export async function startSerialPrinter(printerSide: string): Promise<VirtualPrinter> {
  const port = new SerialPort({ path: printerSide, baudRate: 9600, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
  const printer = base(
    () =>
      new Promise<void>((resolve) => {
        if (!port.isOpen) return resolve();
        port.close(() => resolve());
      }),
  ) as VirtualPrinter & { capture(chunk: Buffer): void };
  port.on('data', responder(printer, (bytes) => bytes.length > 0 && port.write(Buffer.from(bytes)), (chunk) => printer.capture(chunk)));
  port.on('error', () => undefined);
  return printer;
}

/** True once the bytes hold a complete receipt: something after the status query, ending in a cut. */
export const hasCut = (bytes: Uint8Array): boolean => {
  for (let i = 0; i + 2 < bytes.length; i++) if (bytes[i] === 0x1d && bytes[i + 1] === 0x56) return true;
  return false;
};
