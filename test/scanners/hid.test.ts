/**
 * USB HID scanners: recorded report streams for both usage pages go through the same path node-hid
 * feeds (startHidScanner → HidConnection.onData → decoder → sink) and must come out exactly.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RawScan, ScannerError, ScannerStatus } from '../../shared/scan/events.ts';
import { DEFAULT_SCANNER_SETTINGS, withScannerDefaults } from '../../shared/scan/settings.ts';
import {
  chooseHidInterface,
  describeHidOpenError,
  startHidScanner,
  type HidBackend,
  type HidConnection,
  type HidDeviceInfo,
  type HidScannerHandle,
} from '../../src-main/scanners/hid.ts';
import { createKeyboardReportDecoder, createPosReportDecoder } from '../../src-main/scanners/hid-reports.ts';
import { until } from '../helpers/until.ts';
import { sleep } from './helpers/events.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'scanners', 'hid');

type Recording = {
  description: string;
  device: { vendorId: number; productId: number; usagePage: number; usage: number; product: string };
  reports: Array<{ t: number; hex: string; note?: string }>;
  expected: Array<{ text: string; symbology?: string }>;
  errors: string[];
};

const load = (name: string): Recording => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as Recording;

/** A HID device that replays a recording, as node-hid would deliver it. */
class FakeHidConnection implements HidConnection {
  private dataListeners: Array<(report: Uint8Array) => void> = [];
  private errorListeners: Array<(error: Error) => void> = [];
  closed = false;
  onData(listener: (report: Uint8Array) => void): void {
    this.dataListeners.push(listener);
  }
  onError(listener: (error: Error) => void): void {
    this.errorListeners.push(listener);
  }
  async close(): Promise<void> {
    this.closed = true;
  }
  emit(hex: string): void {
    for (const listener of this.dataListeners) listener(Buffer.from(hex, 'hex'));
  }
  unplug(): void {
    for (const listener of this.errorListeners) listener(new Error('could not read from HID device'));
  }
}

class FakeHidBackend implements HidBackend {
  present: HidDeviceInfo[];
  connections: FakeHidConnection[] = [];
  openError: Error | null = null;
  constructor(devices: HidDeviceInfo[]) {
    this.present = devices;
  }
  async devices(): Promise<readonly HidDeviceInfo[]> {
    return this.present;
  }
  async open(path: string): Promise<HidConnection> {
    if (this.openError) throw this.openError;
    if (!this.present.some((d) => d.path === path)) throw new Error(`cannot open device with path ${path}`);
    const connection = new FakeHidConnection();
    this.connections.push(connection);
    return connection;
  }
  latest(): FakeHidConnection {
    const last = this.connections.at(-1);
    if (!last) throw new Error('nothing opened');
    return last;
  }
}

type Collected = { reads: RawScan[]; errors: ScannerError[]; statuses: ScannerStatus[] };

const handles: HidScannerHandle[] = [];
afterEach(async () => {
  for (const handle of handles.splice(0)) await handle.stop();
});

function start(backend: HidBackend, device: Recording['device'], patch: Partial<typeof DEFAULT_SCANNER_SETTINGS.hid> = {}): Collected {
  const collected: Collected = { reads: [], errors: [], statuses: [] };
  const handle = startHidScanner({
    settings: withScannerDefaults({ hid: { enabled: true, vendorId: device.vendorId, productId: device.productId, reconnectIntervalMs: 20, ...patch } }).hid,
    sink: {
      read: (read) => collected.reads.push(read),
      error: (error) => collected.errors.push(error),
      status: (status) => collected.statuses.push(status),
    },
    backend,
  });
  handles.push(handle);
  return collected;
}

const asInfo = (device: Recording['device'], path: string): HidDeviceInfo => ({ path, ...device });

describe('recorded HID report streams decode exactly', () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));
  it('has recordings for both usage pages', () => {
    const pages = new Set(files.map((f) => load(f).device.usagePage));
    expect(pages).toEqual(new Set([0x01, 0x8c]));
  });

  it.each(files)('%s', async (file) => {
    const recording = load(file);
    const backend = new FakeHidBackend([asInfo(recording.device, '/dev/hidraw7')]);
    const collected = start(backend, recording.device);
    await until(() => backend.connections.length === 1, 'open');
    for (const report of recording.reports) {
      backend.latest().emit(report.hex);
      await sleep(0);
    }
    await until(() => collected.reads.length >= recording.expected.length, 'codes');
    expect(collected.reads.map((r) => (r.symbology ? { text: r.raw, symbology: r.symbology } : { text: r.raw }))).toEqual(recording.expected);
    expect(collected.reads.every((r) => r.source === 'hid' && r.device === 'hid:0c2e:0b61')).toBe(true);
    expect(collected.errors.map((e) => e.code)).toEqual(recording.errors);
  });
});

describe('keyboard reports (usage page 0x07)', () => {
  it('produces characters on key-down only: a held key or a key-up types nothing', () => {
    const decoder = createKeyboardReportDecoder();
    const out = [
      ...decoder.push(Buffer.from('0000040000000000', 'hex')), // a down
      ...decoder.push(Buffer.from('0000040000000000', 'hex')), // still held (repeat report)
      ...decoder.push(Buffer.from('0000000000000000', 'hex')), // up
      ...decoder.push(Buffer.from('0000280000000000', 'hex')), // Enter
    ];
    expect(out).toEqual([{ type: 'code', text: 'a' }]);
  });

  it('ignores Ctrl shortcuts and reads Alt + keypad codes', () => {
    const decoder = createKeyboardReportDecoder();
    const reports = [
      '0100060000000000', // Ctrl+C: not text
      '0000000000000000',
      '0400000000000000', // Alt down
      '0400600000000000', // keypad 8
      '0400000000000000',
      '04005a0000000000', // keypad 2  → Alt+82 = 'R'
      '0000000000000000', // Alt up: character
      '0000280000000000',
    ];
    const out = reports.flatMap((hex) => decoder.push(Buffer.from(hex, 'hex')));
    expect(out).toEqual([{ type: 'code', text: 'R' }]);
  });

  it('ends a code without Enter after the scanner goes quiet', async () => {
    const device = { vendorId: 0x05e0, productId: 0x1200, usagePage: 0x01, usage: 0x06, product: 'no-suffix scanner' };
    const backend = new FakeHidBackend([asInfo(device, '/dev/hidraw1')]);
    const collected = start(backend, device, { idleGapMs: 40 });
    await until(() => backend.connections.length === 1, 'open');
    for (const usage of [0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23]) {
      backend.latest().emit(`0000${usage.toString(16)}0000000000`);
      backend.latest().emit('0000000000000000');
    }
    expect(collected.reads).toEqual([]);
    await until(() => collected.reads.length === 1, 'idle flush');
    expect(collected.reads[0]?.raw).toBe('123456');
  });
});

describe('HID POS reports (usage page 0x8C)', () => {
  it('refuses a length byte larger than a report can hold', () => {
    const report = new Uint8Array(64);
    report[0] = 0x02;
    report[1] = 200;
    expect(createPosReportDecoder().push(report)).toEqual([{ type: 'error', code: 'bad_report', message: expect.stringMatching(/claims 200/) }]);
  });

  it('ignores reports with other report IDs (status, configuration)', () => {
    expect(createPosReportDecoder().push(Uint8Array.from([0x04, 0x01, 0x02]))).toEqual([]);
  });
});

describe('USB scanner connection', () => {
  const pos = { vendorId: 0x0c2e, productId: 0x0b61, usagePage: 0x8c, usage: 0x02, product: 'POS' };
  const keyboard = { ...pos, usagePage: 0x01, usage: 0x06, product: 'keyboard' };

  it('prefers the HID POS interface of a scanner that also exposes a keyboard', () => {
    const devices = [asInfo(keyboard, '/dev/hidraw0'), asInfo(pos, '/dev/hidraw1')];
    const settings = DEFAULT_SCANNER_SETTINGS.hid;
    expect(chooseHidInterface(devices, { ...settings, vendorId: 0x0c2e, productId: 0x0b61 })).toEqual({ device: devices[1], mode: 'pos' });
    expect(chooseHidInterface(devices, { ...settings, vendorId: 0x0c2e, productId: 0x0b61, mode: 'keyboard' })).toEqual({ device: devices[0], mode: 'keyboard' });
    expect(chooseHidInterface(devices, { ...settings, vendorId: 0x1234, productId: 0x0b61 })).toBeNull();
  });

  it('reconnects after an unplug and keeps reading', async () => {
    const backend = new FakeHidBackend([asInfo(pos, '/dev/hidraw3')]);
    const collected = start(backend, pos);
    await until(() => backend.connections.length === 1, 'open');
    const recording = load('pos-qr-ean.json');
    backend.latest().emit(recording.reports[0]?.hex ?? '');
    backend.present = []; // unplugged
    backend.latest().unplug();
    await until(() => collected.statuses.some((s) => s.state === 'disconnected'), 'disconnected');
    expect(collected.errors.map((e) => e.code)).toContain('disconnected');
    await sleep(60); // a few polls find nothing
    backend.present = [asInfo(pos, '/dev/hidraw4')]; // back, under a new hidraw node
    await until(() => backend.connections.length === 2, 'reopen');
    backend.latest().emit(recording.reports[1]?.hex ?? '');
    await until(() => collected.reads.length === 2, 'code after replug');
    expect(collected.reads.map((r) => r.raw)).toEqual(['163612345678901234', '6901234567892']);
    expect(backend.connections[0]?.closed).toBe(true);
  });

  it('tells the installer how to fix missing permissions on Linux', async () => {
    const denied = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    const [code, message] = await describeHidOpenError(
      { device: asInfo(pos, '/dev/hidraw3'), mode: 'pos' },
      new Error('cannot open device with path /dev/hidraw3'),
      'linux',
      async () => {
        throw denied;
      },
    );
    expect(code).toBe('permission_denied');
    expect(message).toContain('SUBSYSTEM=="hidraw", ATTRS{idVendor}=="0c2e", ATTRS{idProduct}=="0b61"');
    expect(message).toMatch(/unplug and replug/);
  });

  it('explains that Windows keeps keyboard-mode scanners to itself', async () => {
    const [code, message] = await describeHidOpenError({ device: asInfo(keyboard, '\\\\?\\hid#vid_0c2e'), mode: 'keyboard' }, new Error('cannot open device'), 'win32');
    expect(code).toBe('unsupported');
    expect(message).toMatch(/HID POS/);
  });

  it('reports an open failure as an error event and retries, never throws', async () => {
    const backend = new FakeHidBackend([asInfo(pos, '/dev/hidraw3')]);
    backend.openError = new Error('device busy');
    const collected = start(backend, pos);
    await until(() => collected.errors.length > 0, 'error');
    expect(collected.errors[0]?.code).toBe('busy');
    backend.openError = null;
    await until(() => backend.connections.length === 1, 'retry');
  });

  it('says so when the scanner is not plugged in', async () => {
    const backend = new FakeHidBackend([]);
    const collected = start(backend, pos);
    await until(() => collected.errors.length > 0, 'error');
    expect(collected.errors[0]).toMatchObject({ code: 'not_found', message: expect.stringMatching(/not plugged in/) });
  });
});
