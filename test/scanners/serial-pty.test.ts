/**
 * Serial scanners over a real pseudo-terminal pair (socat) with the real `serialport` package:
 * what the counter sees when a serial scanner sends codes, line noise, and is unplugged.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { withScannerDefaults, type SerialFraming } from '../../shared/scan/settings.ts';
import { createScannerHub, type ScannerHub } from '../../src-main/scanners/pipeline.ts';
import type { CodeKind } from '../../shared/codes.ts';
import { createEventLog, seededRandom, sleep, type EventLog } from './helpers/events.ts';
import { openPtyPair, type PtyPair } from './helpers/socat.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startOn(path: string, framing: SerialFraming = 'cr', reconnectIntervalMs = 100): Promise<{ hub: ScannerHub<CodeKind>; log: EventLog }> {
  const hub = createScannerHub({
    settings: withScannerDefaults({ serial: { enabled: true, path, framing, reconnectIntervalMs, idleGapMs: 60 } }),
  });
  const log = createEventLog();
  hub.subscribe(log.push);
  hub.start();
  cleanups.push(() => hub.stop());
  return { hub, log };
}

async function pair(links?: Readonly<{ scanner: string; app: string }>): Promise<PtyPair> {
  const opened = await openPtyPair(links);
  cleanups.push(() => opened.close());
  return opened;
}

const connected = (log: EventLog, nth = 1): Promise<unknown> => {
  let seen = 0;
  return log.waitFor((e) => e.type === 'status' && e.status.state === 'connected' && ++seen >= nth, 5000, `connection #${nth}`);
};

describe('serial scanner on a real pseudo-terminal', () => {
  const framings: ReadonlyArray<[SerialFraming, (code: string) => string]> = [
    ['cr', (code) => `${code}\r`],
    ['lf', (code) => `${code}\n`],
    ['crlf', (code) => `${code}\r\n`],
    ['stx-etx', (code) => `\x02${code}\x03`],
    ['idle', (code) => code],
  ];

  it.each(framings)('reads each code framed with %s', async (framing, frame) => {
    const pty = await pair();
    const { log } = await startOn(pty.appSide, framing);
    await connected(log);
    await pty.write(frame('123456789012'));
    await log.waitFor((e) => e.type === 'scan', 3000, 'first scan');
    // Idle framing needs a pause between codes; that pause is what separates them.
    if (framing === 'idle') await sleep(150);
    await pty.write(frame('GIFT2026ABC'));
    await log.waitFor((e) => e.type === 'scan' && e.scan.text === 'GIFT2026ABC', 3000, 'second scan');
    expect(log.scans()).toEqual(['123456789012', 'GIFT2026ABC']);
    const first = log.events.find((e) => e.type === 'scan');
    expect(first?.type === 'scan' && first.scan.source).toBe('serial');
    expect(first?.type === 'scan' && first.scan.device).toBe(pty.appSide);
    expect(first?.type === 'scan' && first.kind).toBe('card_code');
  });

  it('reads a code that arrives one byte at a time', async () => {
    const pty = await pair();
    const { log } = await startOn(pty.appSide, 'crlf');
    await connected(log);
    for (const char of '163612345678901234\r\n') {
      await pty.write(char);
      await sleep(4);
    }
    await log.waitFor((e) => e.type === 'scan', 3000, 'scan');
    expect(log.scans()).toEqual(['163612345678901234']);
    const scan = log.events.find((e) => e.type === 'scan');
    expect(scan?.type === 'scan' && scan.kind).toBe('wechat_dynamic');
  });

  it('rejects garbage bytes as unreadable and still reads the next code', async () => {
    const pty = await pair();
    const { log } = await startOn(pty.appSide, 'cr');
    await connected(log);
    await pty.write(Buffer.from([0x00, 0xff, 0xfe, 0x1b, 0x5b, 0x41, 0x80, 0x31, 0x32, 0x0d]));
    await pty.write('1234\u00005678\r');
    await pty.write('123456789012\r');
    await log.waitFor((e) => e.type === 'scan', 3000, 'scan');
    expect(log.scans()).toEqual(['123456789012']);
    const rejections = log.events.filter((e) => e.type === 'rejected');
    expect(rejections.map((e) => e.type === 'rejected' && e.reason)).toEqual(['charset', 'charset']);
    expect(rejections.every((e) => e.type === 'rejected' && e.message.length > 0)).toBe(true);
  });

  it('survives 64 KB of line noise and reads the code after it', async () => {
    const pty = await pair();
    const { hub, log } = await startOn(pty.appSide, 'cr');
    await connected(log);
    const random = seededRandom(5);
    // First a babbling line that never sends a terminator, then noise that does now and then.
    const silent = Buffer.alloc(32 * 1024, 0).map(() => {
      const byte = Math.floor(random() * 256);
      return byte === 0x0d ? 0x0e : byte;
    });
    const chatty = Buffer.alloc(32 * 1024, 0).map(() => Math.floor(random() * 256));
    await pty.write(silent);
    await pty.write(chatty);
    await pty.write('\r987654321098\r');
    await log.waitFor((e) => e.type === 'scan', 5000, 'scan after noise');
    expect(log.scans()).toEqual(['987654321098']);
    expect(log.events.some((e) => e.type === 'error' && e.error.code === 'frame_overflow')).toBe(true);
    // Still connected and still reading.
    await pty.write('123123123123\r');
    await log.waitFor((e) => e.type === 'scan' && e.scan.text === '123123123123', 3000, 'scan after that');
    expect(log.events.filter((e) => e.type === 'status' && e.status.state === 'disconnected')).toHaveLength(0);
    await hub.stop();
  });

  it('reconnects when the scanner is unplugged and plugged back in', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gcterm-pty-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const links = { scanner: join(dir, 'scanner'), app: join(dir, 'ttyUSB0') };
    let pty = await pair(links);
    const { log } = await startOn(links.app, 'cr', 100);
    await connected(log);
    await pty.write('111111111111\r');
    await log.waitFor((e) => e.type === 'scan', 3000, 'scan before unplug');

    await pty.close(); // unplugged: both ends vanish
    await log.waitFor((e) => e.type === 'status' && e.status.state === 'disconnected', 3000, 'disconnected status');
    const unplugged = log.events.find((e) => e.type === 'error' && e.error.code === 'disconnected');
    expect(unplugged?.type === 'error' && unplugged.error.message).toMatch(/disconnected; reconnecting/);
    await sleep(300); // a few failed reopen attempts while it is away

    pty = await pair(links); // plugged back in, same by-id path
    await connected(log, 2);
    await pty.write('222222222222\r');
    await log.waitFor((e) => e.type === 'scan' && e.scan.text === '222222222222', 3000, 'scan after replug');
    expect(log.scans()).toEqual(['111111111111', '222222222222']);
    // While away it said so once, not once per retry.
    expect(log.events.filter((e) => e.type === 'error' && e.error.code === 'not_found').length).toBeLessThanOrEqual(1);
  });

  it('waits for a scanner that is not plugged in yet', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gcterm-pty-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const links = { scanner: join(dir, 'scanner'), app: join(dir, 'ttyUSB1') };
    const { log } = await startOn(links.app, 'cr', 100);
    const missing = await log.waitFor((e) => e.type === 'error', 3000, 'not found error');
    expect(missing.type === 'error' && missing.error.code).toBe('not_found');
    expect(missing.type === 'error' && missing.error.message).toMatch(/not found: is the scanner plugged in/);
    const pty = await pair(links);
    await connected(log);
    await pty.write('333333333333\r');
    await log.waitFor((e) => e.type === 'scan', 3000, 'scan');
    expect(log.scans()).toEqual(['333333333333']);
  });
});

