/**
 * The one pipeline every scanner feeds: what reaches the cashier after stripping, validation,
 * duplicate suppression and classification — and that nothing in it can throw.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { SerialPortMock } from 'serialport';
import { describe, expect, it } from 'vitest';
import { symbologyFromAimId } from '../../shared/scan/aim.ts';
import { decodePasses, CAMERA_DECODER, roiToPixels } from '../../shared/scan/camera-decoder.ts';
import type { RawScan } from '../../shared/scan/events.ts';
import { createScanPipeline, stripEdgeNoise } from '../../shared/scan/pipeline.ts';
import { DEFAULT_SCANNER_SETTINGS, withScannerDefaults, type ScannerSettingsPatch, type ScanTextRules } from '../../shared/scan/settings.ts';
import { usKeyChar } from '../../shared/scan/us-keyboard.ts';
import { createScannerHub } from '../../src-main/scanners/pipeline.ts';
import { until } from '../helpers/until.ts';

const rules = (patch: Partial<ScanTextRules> = {}): ScanTextRules => ({ ...DEFAULT_SCANNER_SETTINGS.text, ...patch });
const read = (raw: string, at = 1000, patch: Partial<RawScan> = {}): RawScan => ({ source: 'keyboard', device: 'keyboard', raw, at, ...patch });

describe('scan pipeline', () => {
  it('accepts a card code and says what it is', () => {
    const out = createScanPipeline(rules()).process(read('123456789012'));
    expect(out).toEqual({ type: 'scan', scan: { source: 'keyboard', device: 'keyboard', raw: '123456789012', text: '123456789012', at: 1000 }, kind: 'card_code' });
  });

  it('strips the configured prefix and suffix and surrounding control characters', () => {
    const pipeline = createScanPipeline(rules({ prefix: 'GC', suffix: '#' }));
    const out = pipeline.process(read('\x02GC163612345678901234#\r\n'));
    expect(out.type === 'scan' && out.scan.text).toBe('163612345678901234');
    expect(out.type === 'scan' && out.scan.raw).toBe('\x02GC163612345678901234#\r\n');
    expect(out.type === 'scan' && out.kind).toBe('wechat_dynamic');
  });

  it('strips what a scanner or keyboard adds around a code, DEL included, and nothing inside it', () => {
    expect(stripEdgeNoise('\u007f\t 123456789012\r\n\u007f')).toBe('123456789012');
    expect(stripEdgeNoise('1234 5678')).toBe('1234 5678');
  });

  it('reads an AIM symbology prefix when the scanner is programmed to send one', () => {
    const out = createScanPipeline(rules({ aimPrefix: true })).process(read(']E06901234567892'));
    expect(out).toMatchObject({ type: 'scan', scan: { text: '6901234567892', symbology: 'ean-13' }, kind: 'product_barcode' });
  });

  it.each([
    ['', 'empty'],
    ['12345', 'too_short'],
    ['1'.repeat(33), 'too_long'],
    ['１２３４５６７８', 'charset'], // fullwidth digits from an IME
    ['1234\u00005678', 'charset'],
    ['ｓｃａｎ1234', 'charset'],
  ])('rejects %j as %s with a message for the cashier', (raw, reason) => {
    const out = createScanPipeline(rules()).process(read(raw));
    expect(out).toMatchObject({ type: 'rejected', reason });
    expect(out.type === 'rejected' && out.message.length).toBeGreaterThan(10);
  });

  it('suppresses the same code within the window, sliding while it keeps coming', () => {
    const pipeline = createScanPipeline(rules({ duplicateWindowMs: 1000 }));
    const kinds = [0, 500, 1400, 2300, 3400].map((at) => pipeline.process(read('123456789012', at)).type);
    // 500: duplicate; 1400: still within 1000 ms of the 500 sighting; 2300 likewise; 3400: new.
    expect(kinds).toEqual(['scan', 'rejected', 'rejected', 'rejected', 'scan']);
    expect(pipeline.process(read('999999999999', 3500)).type).toBe('scan');
  });

  it('lets the same card be scanned again at once after reset (cashier pressed Cancel)', () => {
    const pipeline = createScanPipeline(rules());
    pipeline.process(read('123456789012', 0));
    pipeline.reset();
    expect(pipeline.process(read('123456789012', 10)).type).toBe('scan');
  });

  it('takes any classifier as the hook', () => {
    const pipeline = createScanPipeline(rules(), (text) => (text.startsWith('9') ? 'ours' : 'theirs'));
    const out = pipeline.process(read('912345678901'));
    expect(out.type === 'scan' && out.kind).toBe('ours');
  });

  it('turns a failing classifier into an error event and lets the code be rescanned', () => {
    let fail = true;
    const pipeline = createScanPipeline(rules(), () => {
      if (fail) throw new Error('offline rules not loaded');
      return 'ok';
    });
    expect(pipeline.process(read('123456789012', 0))).toMatchObject({ type: 'error', error: { code: 'classifier_failed' } });
    fail = false;
    expect(pipeline.process(read('123456789012', 1)).type).toBe('scan');
  });

  it('never throws, whatever a scanner sends', () => {
    const pipeline = createScanPipeline(rules({ aimPrefix: true, prefix: ']', suffix: '\uD800' }));
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.integer(), (raw, at) => {
        const out = pipeline.process(read(raw, at));
        expect(['scan', 'rejected', 'error']).toContain(out.type);
      }),
    );
  });
});

/**
 * A hub with a serial scanner on @serialport/binding-mock: reads reach the hub the way a
 * counter's scanner's do, through the driver and its framing.
 */
async function hubWithSerialScanner(patch: ScannerSettingsPatch = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'gcterm-hub-'));
  const path = join(dir, 'ttyUSB0'); // a real file, so the driver's presence check finds it
  writeFileSync(path, '');
  SerialPortMock.binding.reset();
  SerialPortMock.binding.createPort(path);
  const ports: SerialPortMock[] = [];
  const hub = createScannerHub({
    settings: withScannerDefaults({ ...patch, serial: { enabled: true, path, reconnectIntervalMs: 20, ...patch.serial } }),
    openSerialPort: (options) => {
      const port = new SerialPortMock(options);
      ports.push(port);
      return port;
    },
  });
  const opened = async (count: number): Promise<SerialPortMock> => {
    await until(() => ports.length >= count && ports[count - 1]?.isOpen === true, `serial port ${count} to open`);
    return ports[count - 1] as SerialPortMock;
  };
  hub.start();
  await opened(1);
  return {
    hub,
    /** The scanner sends a code (CR-terminated, the default framing) on the latest port. */
    scan: (text: string) => ports.at(-1)?.port?.emitData(Buffer.from(`${text}\r`)),
    opened,
    async close() {
      await hub.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('scanner hub', () => {
  it("sends a scanner's reads through the one pipeline: classified, the same code again dropped", async () => {
    const scanner = await hubWithSerialScanner();
    try {
      const seen: string[] = [];
      scanner.hub.subscribe((e) => e.type !== 'status' && seen.push(e.type === 'scan' ? `${e.scan.source}:${e.scan.text}:${e.kind}` : e.type));
      scanner.scan('163612345678901234');
      scanner.scan('163612345678901234');
      await until(() => seen.length === 2, 'two reads judged');
      expect(seen).toEqual(['serial:163612345678901234:wechat_dynamic', 'rejected']);
    } finally {
      await scanner.close();
    }
  });

  it('keeps delivering when one listener throws, and tells the others', async () => {
    const scanner = await hubWithSerialScanner();
    try {
      const seen: string[] = [];
      scanner.hub.subscribe(() => {
        throw new Error('UI not ready');
      });
      scanner.hub.subscribe((e) => seen.push(e.type === 'error' ? `error:${e.error.code}` : e.type));
      scanner.scan('123456789012');
      await until(() => seen.length === 2, 'the scan and the listener failure');
      expect(seen).toEqual(['scan', 'error:listener_failed']);
    } finally {
      await scanner.close();
    }
  });

  it('applies new text rules on update', async () => {
    const scanner = await hubWithSerialScanner();
    try {
      const texts: string[] = [];
      scanner.hub.subscribe((e) => e.type === 'scan' && texts.push(e.scan.text));
      await scanner.hub.update(withScannerDefaults({ ...scanner.hub.settings, text: { prefix: 'X' } }));
      await scanner.opened(2); // the driver restarted with the new settings
      scanner.scan('X123456789012');
      await until(() => texts.length === 1, 'the scan');
      expect(texts).toEqual(['123456789012']);
    } finally {
      await scanner.close();
    }
  });
});

describe('shared scanner helpers', () => {
  it('maps AIM identifiers to symbologies', () => {
    expect([']Q1', ']C0', ']E0', ']E4', ']d2', 'abc'].map(symbologyFromAimId)).toEqual(['qr-code', 'code-128', 'ean-13', 'ean-8', 'data-matrix', null]);
  });

  it('types US-layout characters from physical keys, caps lock affecting letters only', () => {
    expect([usKeyChar('KeyA', false), usKeyChar('KeyA', true), usKeyChar('KeyA', false, true), usKeyChar('Digit1', false, true), usKeyChar('Digit1', true), usKeyChar('Numpad7', false), usKeyChar('F5', false)]).toEqual([
      'a',
      'A',
      'A',
      '1',
      '!',
      '7',
      null,
    ]);
  });

  it('resolves a ROI to pixels and tries it before the full frame', () => {
    const roi = { x: 0.25, y: 0.25, width: 0.5, height: 0.5 };
    expect(roiToPixels(roi, 1280, 720)).toEqual({ x: 320, y: 180, width: 640, height: 360 });
    const passes = decodePasses(CAMERA_DECODER, roi, 1280, 720);
    expect(passes[0]?.rect).toEqual({ x: 320, y: 180, width: 640, height: 360 });
    expect(passes.at(-1)?.rect).toEqual({ x: 0, y: 0, width: 1280, height: 720 });
    expect(decodePasses(CAMERA_DECODER, null, 640, 480).every((p) => p.region === 'full')).toBe(true);
  });
});
