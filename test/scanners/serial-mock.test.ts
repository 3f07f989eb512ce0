/**
 * Serial scanner unit tests on @serialport/binding-mock, the framing decoder on any chunking of
 * the byte stream, and port listing where `udevadm` is missing.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { SerialPortMock } from 'serialport';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RawScan, ScannerError, ScannerStatus } from '../../shared/scan/events.ts';
import { withScannerDefaults, type SerialFraming, type SerialScannerSettings } from '../../shared/scan/settings.ts';
import { createFrameDecoder, frameText } from '../../src-main/scanners/framing.ts';
import { startSerialScanner, type SerialScannerHandle } from '../../src-main/scanners/serial.ts';
import { listSerialPorts } from '../../src-main/scanners/serial-ports.ts';
import { until } from '../helpers/until.ts';
import { sleep } from './helpers/events.ts';

/** serialport's own copy of binding-mock (importing the package directly would give another instance). */
const MockBinding = SerialPortMock.binding;

const FRAME: Readonly<Record<SerialFraming, (code: string) => string>> = {
  cr: (code) => `${code}\r`,
  lf: (code) => `${code}\n`,
  crlf: (code) => `${code}\r\n`,
  'stx-etx': (code) => `\x02${code}\x03`,
  idle: (code) => code,
};

describe('framing: codes come out whole however the bytes are chunked', () => {
  const lineFramings: SerialFraming[] = ['cr', 'lf', 'crlf', 'stx-etx'];
  it.each(lineFramings)('%s', (framing) => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[0-9A-Za-z]{1,40}$/), { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1, maxLength: 20 }),
        (codes, cuts) => {
          const bytes = Buffer.from(codes.map(FRAME[framing]).join(''), 'latin1');
          const decoder = createFrameDecoder({ framing });
          const frames: string[] = [];
          let offset = 0;
          let i = 0;
          while (offset < bytes.length) {
            const size = cuts[i++ % cuts.length] ?? 1;
            for (const out of decoder.push(bytes.subarray(offset, offset + size))) if (out.type === 'frame') frames.push(frameText(out.bytes));
            offset += size;
          }
          expect(frames).toEqual(codes);
        },
      ),
    );
  });

  it('idle framing ends a code only when flushed (the idle timer)', () => {
    const decoder = createFrameDecoder({ framing: 'idle' });
    expect(decoder.push(Buffer.from('1234'))).toEqual([]);
    expect(decoder.push(Buffer.from('5678'))).toEqual([]);
    expect(decoder.flush().map((o) => (o.type === 'frame' ? frameText(o.bytes) : o.type))).toEqual(['12345678']);
  });

  it('a CRLF scanner on a CR-framed port still reads clean codes', () => {
    const decoder = createFrameDecoder({ framing: 'cr' });
    const frames = decoder.push(Buffer.from('111111\r\n222222\r\n')).map((o) => (o.type === 'frame' ? frameText(o.bytes) : o.type));
    expect(frames).toEqual(['111111', '222222']);
  });

  it('bounds memory on a line with no terminator and resynchronises at the next one', () => {
    const decoder = createFrameDecoder({ framing: 'cr', maxFrameBytes: 64 });
    const out = [...decoder.push(Buffer.alloc(1000, 0x41)), ...decoder.push(Buffer.from('\r123456\r'))];
    expect(out.map((o) => (o.type === 'frame' ? frameText(o.bytes) : o.type))).toEqual(['overflow', '123456']);
    expect(decoder.pending).toBe(0);
  });

  it('STX/ETX ignores noise between frames and abandons a frame whose ETX was lost', () => {
    const decoder = createFrameDecoder({ framing: 'stx-etx' });
    const out = decoder.push(Buffer.from('noise\x02lost-etx\x02123456\x03more noise'));
    expect(out.map((o) => (o.type === 'frame' ? frameText(o.bytes) : o.type))).toEqual(['123456']);
  });
});

describe('serial scanner on @serialport/binding-mock', () => {
  type Collected = { reads: RawScan[]; errors: ScannerError[]; statuses: ScannerStatus[] };
  let ports: SerialPortMock[] = [];
  let handles: SerialScannerHandle[] = [];

  beforeEach(() => {
    MockBinding.reset();
    ports = [];
    handles = [];
  });
  afterEach(async () => {
    for (const handle of handles) await handle.stop();
  });

  function start(path: string, patch: Partial<SerialScannerSettings> = {}): Collected {
    const collected: Collected = { reads: [], errors: [], statuses: [] };
    handles.push(
      startSerialScanner({
        settings: withScannerDefaults({ serial: { enabled: true, path, reconnectIntervalMs: 20, ...patch } }).serial,
        sink: {
          read: (read) => collected.reads.push(read),
          error: (error) => collected.errors.push(error),
          status: (status) => collected.statuses.push(status),
        },
        openPort: (options) => {
          const port = new SerialPortMock(options);
          ports.push(port);
          return port;
        },
        checkPresence: null,
      }),
    );
    return collected;
  }

  const latest = (): SerialPortMock => {
    const port = ports.at(-1);
    if (!port) throw new Error('no port opened');
    return port;
  };

  it('opens with the configured line settings and reads codes', async () => {
    MockBinding.createPort('/dev/ttyUSB0', { record: true });
    const collected = start('/dev/ttyUSB0', { baudRate: 115200, parity: 'even', dataBits: 7, stopBits: 2 });
    await until(() => collected.statuses.some((s) => s.state === 'connected'), 'connected');
    expect(latest().port?.openOptions).toMatchObject({ baudRate: 115200, parity: 'even', dataBits: 7, stopBits: 2 });
    latest().port?.emitData(Buffer.from('123456789012\r'));
    await until(() => collected.reads.length === 1, 'read');
    expect(collected.reads[0]).toMatchObject({ source: 'serial', device: '/dev/ttyUSB0', raw: '123456789012' });
  });

  it('waits for a port that does not exist yet, saying so once', async () => {
    const collected = start('/dev/ttyUSB9');
    await until(() => collected.errors.length > 0, 'error');
    await sleep(100); // several retries
    expect(collected.errors.map((e) => e.code)).toEqual(['not_found']);
    MockBinding.createPort('/dev/ttyUSB9');
    await until(() => collected.statuses.some((s) => s.state === 'connected'), 'connected');
  });

  it('reopens the port when the driver closes it under us', async () => {
    MockBinding.createPort('/dev/ttyUSB0');
    const collected = start('/dev/ttyUSB0');
    await until(() => collected.statuses.some((s) => s.state === 'connected'), 'connected');
    const first = latest();
    first.close();
    await until(() => ports.length === 2 && collected.statuses.filter((s) => s.state === 'connected').length === 2, 'reconnected');
    expect(collected.errors.map((e) => e.code)).toEqual(['disconnected']);
    latest().port?.emitData(Buffer.from('987654321098\r'));
    await until(() => collected.reads.length === 1, 'read after reconnect');
  });

  it('drops the stale half of a code instead of gluing it onto the next one', async () => {
    MockBinding.createPort('/dev/ttyUSB0');
    let clock = 1_000_000;
    const collected: Collected = { reads: [], errors: [], statuses: [] };
    handles.push(
      startSerialScanner({
        settings: withScannerDefaults({ serial: { enabled: true, path: '/dev/ttyUSB0' } }).serial,
        sink: { read: (r) => collected.reads.push(r), error: (e) => collected.errors.push(e), status: (s) => collected.statuses.push(s) },
        openPort: (options) => {
          const port = new SerialPortMock(options);
          ports.push(port);
          return port;
        },
        checkPresence: null,
        now: () => clock,
      }),
    );
    await until(() => collected.statuses.some((s) => s.state === 'connected'), 'connected');
    latest().port?.emitData(Buffer.from('12345'));
    await sleep(20);
    clock += 10_000;
    latest().port?.emitData(Buffer.from('123456789012\r'));
    await until(() => collected.reads.length === 1, 'read');
    expect(collected.reads[0]?.raw).toBe('123456789012');
    expect(collected.errors[0]?.code).toBe('read_failed');
  });

  it('reports a corrupt setting as an error event, not an exception', async () => {
    MockBinding.createPort('/dev/ttyUSB0');
    // As a hand-edited settings file could hold it.
    const corrupt = JSON.parse('{"baudRate": "fast"}') as object;
    const collected = start('/dev/ttyUSB0', { ...corrupt });
    await until(() => collected.errors.length > 0, 'error');
    expect(collected.errors[0]).toMatchObject({ code: 'open_failed', message: expect.stringMatching(/baudRate/) });
  });

  it('says the port is in use when another program holds it', async () => {
    MockBinding.createPort('/dev/ttyUSB0');
    const first = start('/dev/ttyUSB0');
    await until(() => first.statuses.some((s) => s.state === 'connected'), 'first connected');
    const second = start('/dev/ttyUSB0');
    await until(() => second.errors.length > 0, 'error');
    expect(second.errors[0]).toMatchObject({ code: 'busy', message: expect.stringMatching(/in use by another program/) });
  });
});

describe('listing serial ports', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'gcterm-sysfs-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  /** A sysfs with a USB serial adapter (FTDI 0403:6001), a real UART, and an absent one. */
  async function fakeSysfs(): Promise<{ sys: string; dev: string }> {
    const sys = join(root, 'sys');
    const dev = join(root, 'dev');
    const usb = join(sys, 'devices', 'pci0000:00', '0000:00:14.0', 'usb1', '1-2');
    const ttyDevice = join(usb, '1-2:1.0', 'ttyUSB0');
    await mkdir(ttyDevice, { recursive: true });
    await writeFile(join(usb, 'idVendor'), '0403\n');
    await writeFile(join(usb, 'idProduct'), '6001\n');
    await writeFile(join(usb, 'manufacturer'), 'FTDI\n');
    await writeFile(join(usb, 'product'), 'FT232R USB UART\n');
    await writeFile(join(usb, 'serial'), 'A50285BI\n');
    const uart = join(sys, 'devices', 'platform', 'serial8250', 'tty', 'ttyS0');
    const absent = join(sys, 'devices', 'platform', 'serial8250', 'tty', 'ttyS5');
    await mkdir(uart, { recursive: true });
    await mkdir(absent, { recursive: true });
    const ttyClass = join(sys, 'class', 'tty');
    for (const name of ['ttyUSB0', 'ttyS0', 'ttyS5', 'tty1']) await mkdir(join(ttyClass, name), { recursive: true });
    await symlink(ttyDevice, join(ttyClass, 'ttyUSB0', 'device'));
    await symlink(uart, join(ttyClass, 'ttyS0', 'device'));
    await writeFile(join(ttyClass, 'ttyS0', 'type'), '4\n');
    await symlink(absent, join(ttyClass, 'ttyS5', 'device'));
    await writeFile(join(ttyClass, 'ttyS5', 'type'), '0\n');
    await mkdir(join(dev, 'serial', 'by-id'), { recursive: true });
    await symlink('../../ttyUSB0', join(dev, 'serial', 'by-id', 'usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0'));
    return { sys, dev };
  }

  it('finds vendor and product ids from sysfs when udevadm is missing', async () => {
    const { sys, dev } = await fakeSysfs();
    const ports = await listSerialPorts({
      platform: 'linux',
      sysfsRoot: sys,
      devRoot: dev,
      list: () => Promise.reject(new Error('spawn udevadm ENOENT')),
    });
    expect(ports).toEqual([
      { path: join(dev, 'ttyS0') },
      {
        path: join(dev, 'ttyUSB0'),
        vendorId: '0403',
        productId: '6001',
        manufacturer: 'FTDI',
        product: 'FT232R USB UART',
        serialNumber: 'A50285BI',
        byId: join(dev, 'serial', 'by-id', 'usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0'),
      },
    ]);
  });

  it("keeps what udev says and adds what only sysfs knows", async () => {
    const { sys, dev } = await fakeSysfs();
    const ports = await listSerialPorts({
      platform: 'linux',
      sysfsRoot: sys,
      devRoot: dev,
      list: async () => [{ path: join(dev, 'ttyUSB0'), vendorId: '0403', productId: '6001', manufacturer: 'FTDI (udev)' }],
    });
    expect(ports.find((p) => p.path.endsWith('ttyUSB0'))).toMatchObject({ manufacturer: 'FTDI (udev)', product: 'FT232R USB UART' });
  });
});
