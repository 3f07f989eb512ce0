/**
 * `gcterm scan` and `gcterm decode` as an installer uses them: what they print and how they exit.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../src-main/cli/io.ts';
import { registerScanCommands } from '../../src-main/cli/scan.ts';
import { sleep } from './helpers/events.ts';
import { blur, encodeJpeg, encodePng, giftCard, gray, noise, renderCode, scene } from './helpers/images.ts';
import { openPtyPair } from './helpers/socat.ts';

type Captured = CliIO & { out: (line: string) => void; lines: string[]; errors: string[]; code: number };

function capture(): Captured {
  const lines: string[] = [];
  const errors: string[] = [];
  const io: Captured = {
    lines,
    errors,
    code: 0,
    out: (line) => lines.push(line),
    err: (line) => errors.push(line),
    setExitCode: (next) => {
      if (next !== 0 || io.code === 0) io.code = next;
    },
  };
  return io;
}

/** The program as src-main/cli.ts builds it (global --json), with only the scanner commands. */
async function gcterm(args: readonly string[], io = capture()): Promise<Captured> {
  const program = new Command('gcterm').option('--json').exitOverride().configureOutput({ writeOut: () => undefined, writeErr: (s) => io.err(s) });
  registerScanCommands(program, io);
  try {
    await program.parseAsync(['node', 'gcterm', ...args]);
  } catch (error) {
    io.setExitCode(typeof error === 'object' && error !== null && 'exitCode' in error ? Number((error as { exitCode: unknown }).exitCode) : 99);
  }
  return io;
}

let dir: string;
const file = (name: string): string => join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gcterm-decode-'));
  const photo = (format: 'qr' | 'code128' | 'ean13', text: string, scale: number) =>
    noise(blur(scene(giftCard(renderCode(format, text, 4, 110), format === 'qr' ? 0.35 : 0.08), 800, 600, { cx: 0.5, cy: 0.5, scale, rotationDeg: 4 }), 1), 8);
  await writeFile(file('card-qr.jpg'), encodeJpeg(photo('qr', '163612345678901234', 0.4), 80));
  await writeFile(file('card-ean13.png'), encodePng(photo('ean13', '6901234567892', 0.8)));
  await writeFile(file('card-code128.png'), encodePng(photo('code128', 'GIFT2026ABC', 0.9)));
  await writeFile(file('blank.png'), encodePng(gray(320, 240, 200)));
  await writeFile(file('notes.txt'), 'not an image');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('gcterm decode', () => {
  it('prints file<TAB>code for each image and exits 0 when all decoded', async () => {
    const io = await gcterm(['decode', file('card-qr.jpg'), file('card-ean13.png'), file('card-code128.png')]);
    expect(io.lines).toEqual([`${file('card-qr.jpg')}\t163612345678901234`, `${file('card-ean13.png')}\t6901234567892`, `${file('card-code128.png')}\tGIFT2026ABC`]);
    expect(io.code).toBe(0);
  });

  it('gives a reason for each image without a code and exits 1 (in Chinese by default)', async () => {
    const io = await gcterm(['decode', file('card-qr.jpg'), file('blank.png'), file('notes.txt'), file('missing.png')]);
    expect(io.lines).toEqual([
      `${file('card-qr.jpg')}\t163612345678901234`,
      `${file('blank.png')}\t✘ 未识别到条码`,
      `${file('notes.txt')}\t✘ 不是 PNG 或 JPEG 图片`,
      `${file('missing.png')}\t✘ 文件不存在`,
    ]);
    expect(io.code).toBe(1);
  });

  it('speaks JSON with the global --json', async () => {
    const io = await gcterm(['--json', 'decode', file('card-ean13.png')]);
    expect(JSON.parse(io.lines[0] ?? '{}')).toMatchObject({ file: file('card-ean13.png'), ok: true, text: '6901234567892', symbology: 'ean-13', format: 'EAN13' });
  });

  it('refuses a malformed --roi', async () => {
    const io = await gcterm(['decode', '--roi', '0.5,0.5', file('card-qr.jpg')]);
    expect(io.code).toBe(2);
    expect(io.errors.join('\n')).toMatch(/--roi 应为图片中的比例/);
  });
});

describe('gcterm scan', () => {
  it('prints one ScanEvent per line from a serial scanner', async () => {
    const pty = await openPtyPair();
    try {
      const io = capture();
      const running = gcterm(['scan', '--serial', pty.appSide, '--baud', '115200', '--framing', 'crlf', '--seconds', '3', '--json'], io);
      const deadline = Date.now() + 3000;
      while (!io.errors.some((line) => line.includes('"connected"')) && Date.now() < deadline) await sleep(10);
      await pty.write('163612345678901234\r\n');
      await pty.write('GIFT2026ABC\r\n');
      await running;
      const events = io.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(events).toEqual([
        expect.objectContaining({ source: 'serial', device: pty.appSide, text: '163612345678901234', kind: 'wechat_dynamic' }),
        expect.objectContaining({ source: 'serial', device: pty.appSide, text: 'GIFT2026ABC', kind: 'card_code' }),
      ]);
      expect(io.code).toBe(0);
    } finally {
      await pty.close();
    }
  });

  it('says what to pass when no scanner is named', async () => {
    const io = await gcterm(['scan']);
    expect(io.code).toBe(2);
    expect(io.errors.join('\n')).toMatch(/--serial PATH and\/or --hid VID:PID/);
  });

  it('refuses a malformed VID:PID', async () => {
    const io = await gcterm(['scan', '--hid', 'honeywell']);
    expect(io.code).toBe(2);
    expect(io.errors.join('\n')).toMatch(/VID:PID in hex/);
  });

  it('lists serial ports and USB HID devices', async () => {
    const io = await gcterm(['scan', '--list']);
    expect(io.code).toBe(0);
    expect(io.lines[0]).toBe('Serial ports:');
    expect(io.lines).toContain('USB HID devices (--hid VID:PID):');
  });
});
