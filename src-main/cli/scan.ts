/**
 * `gcterm scan`: the installer's "is my scanner working" tool — listens to a serial and/or USB HID
 * scanner through the same pipeline the terminal uses and prints one ScanEvent per line.
 * `gcterm decode <image...>`: decodes still images with the camera's decoder settings.
 *
 * Scanned codes are printed in full: this is a diagnostic run by the installer at the counter, and
 * the point is to see exactly what the scanner sends. Nothing here is logged to a file.
 */
import type { Command } from 'commander';
import type { CodeKind } from '../../shared/codes.ts';
import { CAMERA_DECODER } from '../../shared/scan/camera-decoder.ts';
import type { ScanPipelineEvent } from '../../shared/scan/events.ts';
import { DEFAULT_SCANNER_SETTINGS, withScannerDefaults, type RegionOfInterest, type ScannerSettings, type SerialFraming, type SerialParity, type HidMode } from '../../shared/scan/settings.ts';
import { decodeImageFile } from '../scanners/decode-image.ts';
import { listHidDevices, type HidBackend } from '../scanners/hid.ts';
import { hex4 } from '../scanners/hid-reports.ts';
import { createScannerHub } from '../scanners/pipeline.ts';
import type { SerialPortFactory } from '../scanners/serial.ts';
import { listSerialPorts } from '../scanners/serial-ports.ts';
import type { Language } from '../../shared/i18n/reasons.ts';
import { pickLanguage } from './i18n.ts';
import { untilSignal, type CliIO, type RegisterCommand } from './io.ts';
import { describeDecodeFailure, say } from './messages.ts';

const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export type ScanCommandOptions = Readonly<{
  serial?: string;
  baud?: string;
  parity?: string;
  dataBits?: string;
  framing?: string;
  hid?: string;
  hidMode?: string;
  list?: boolean;
  seconds?: string;
  json?: boolean;
}>;

/** Test seams: fake drivers, and what ends the listening (Ctrl+C by default). */
export type ScanCommandDeps = Readonly<{
  openSerialPort?: SerialPortFactory;
  hidBackend?: HidBackend;
  until?: Promise<unknown>;
}>;

const FRAMINGS: readonly SerialFraming[] = ['cr', 'lf', 'crlf', 'stx-etx', 'idle'];
const PARITIES: readonly SerialParity[] = ['none', 'even', 'odd', 'mark', 'space'];
const HID_MODES: readonly HidMode[] = ['auto', 'pos', 'keyboard'];

/** The settings a command line describes, or what is wrong with it. */
export function scanSettingsFromOptions(options: ScanCommandOptions): { ok: true; settings: ScannerSettings } | { ok: false; message: string } {
  type Mutable<T> = { -readonly [K in keyof T]?: T[K] };
  const serial: Mutable<ScannerSettings['serial']> = {};
  const hid: Mutable<ScannerSettings['hid']> = {};
  if (options.serial !== undefined) {
    serial.enabled = true;
    serial.path = options.serial;
    if (options.baud !== undefined) {
      if (!/^\d{3,7}$/.test(options.baud)) return { ok: false, message: `--baud must be a number like 9600 or 115200, not "${options.baud}"` };
      serial.baudRate = Number.parseInt(options.baud, 10);
    }
    if (options.parity !== undefined) {
      const parity = PARITIES.find((p) => p === options.parity);
      if (!parity) return { ok: false, message: `--parity must be one of ${PARITIES.join(', ')}` };
      serial.parity = parity;
    }
    if (options.dataBits !== undefined) {
      if (options.dataBits !== '7' && options.dataBits !== '8') return { ok: false, message: '--data-bits must be 7 or 8' };
      serial.dataBits = options.dataBits === '7' ? 7 : 8;
    }
    if (options.framing !== undefined) {
      const framing = FRAMINGS.find((f) => f === options.framing);
      if (!framing) return { ok: false, message: `--framing must be one of ${FRAMINGS.join(', ')}` };
      serial.framing = framing;
    }
  } else if (options.baud !== undefined || options.parity !== undefined || options.dataBits !== undefined || options.framing !== undefined) {
    return { ok: false, message: '--baud, --parity, --data-bits and --framing need --serial PATH' };
  }
  if (options.hid !== undefined) {
    const match = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(options.hid);
    if (!match) return { ok: false, message: `--hid must be VID:PID in hex, like 0c2e:0b61, not "${options.hid}"` };
    hid.enabled = true;
    hid.vendorId = Number.parseInt(match[1] ?? '', 16);
    hid.productId = Number.parseInt(match[2] ?? '', 16);
    if (options.hidMode !== undefined) {
      const mode = HID_MODES.find((m) => m === options.hidMode);
      if (!mode) return { ok: false, message: `--hid-mode must be one of ${HID_MODES.join(', ')}` };
      hid.mode = mode;
    }
  }
  if (!serial.enabled && !hid.enabled) {
    return { ok: false, message: 'Say which scanner to listen to: --serial PATH and/or --hid VID:PID (gcterm scan --list shows what is connected).' };
  }
  return { ok: true, settings: withScannerDefaults({ serial, hid }) };
}

function clock(at: number): string {
  const d = new Date(at);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** One event as the installer reads it: scans on stdout, everything else on stderr. */
function printEvent(io: CliIO, event: ScanPipelineEvent<CodeKind>, json: boolean): void {
  if (json) {
    if (event.type === 'scan') io.out(JSON.stringify({ ...event.scan, kind: event.kind }));
    else io.err(JSON.stringify(event));
    return;
  }
  switch (event.type) {
    case 'scan': {
      const { scan } = event;
      io.out(`${clock(scan.at)}  ${scan.source}  ${scan.device}  ${scan.text}  ${event.kind}${scan.symbology ? `  ${scan.symbology}` : ''}`);
      return;
    }
    case 'rejected':
      io.err(`${clock(event.read.at)}  ✘ ${event.read.source} ${event.read.device}: ${event.message} (read ${JSON.stringify(event.read.raw)})`);
      return;
    case 'error':
      io.err(`${clock(event.error.at)}  ! ${event.error.source} ${event.error.device}: ${event.error.message}`);
      return;
    case 'status':
      io.err(`${clock(event.status.at)}  · ${event.status.source} ${event.status.device}: ${event.status.state}`);
      return;
  }
}

async function listDevices(io: CliIO, json: boolean, deps: ScanCommandDeps): Promise<void> {
  const ports = await listSerialPorts();
  const hid = await listHidDevices(deps.hidBackend);
  if (json) {
    io.out(JSON.stringify({ serial: ports, hid: hid.ok ? hid.devices : { error: hid.message } }));
    return;
  }
  io.out('Serial ports:');
  if (ports.length === 0) io.out('  (none)');
  for (const port of ports) {
    const id = port.vendorId && port.productId ? `${port.vendorId}:${port.productId}` : '—';
    const name = [port.manufacturer, port.product].filter(Boolean).join(' ');
    io.out(`  ${port.path}  ${id}${name ? `  ${name}` : ''}${port.byId ? `\n      stable path: ${port.byId}` : ''}`);
  }
  io.out('USB HID devices (--hid VID:PID):');
  if (!hid.ok) io.out(`  ${hid.message}`);
  else if (hid.devices.length === 0) io.out('  (none)');
  else {
    for (const device of hid.devices) {
      const kind = device.usagePage === 0x8c ? 'HID POS scanner' : device.usagePage === 0x01 && device.usage === 0x06 ? 'keyboard' : `usage page 0x${(device.usagePage ?? 0).toString(16)}`;
      io.out(`  ${hex4(device.vendorId)}:${hex4(device.productId)}  ${kind}  ${[device.manufacturer, device.product].filter(Boolean).join(' ')}  ${device.path}`);
    }
  }
}


/** `gcterm scan`, callable directly (tests pass fake drivers and their own end). */
export async function runScanCommand(io: CliIO, options: ScanCommandOptions, deps: ScanCommandDeps = {}): Promise<void> {
  const json = options.json === true;
  if (options.list) {
    await listDevices(io, json, deps);
    return;
  }
  const parsed = scanSettingsFromOptions(options);
  if (!parsed.ok) {
    io.err(parsed.message);
    io.setExitCode(EXIT.usage);
    return;
  }
  let seconds: number | null = null;
  if (options.seconds !== undefined) {
    if (!/^\d+(\.\d+)?$/.test(options.seconds)) {
      io.err(`--seconds must be a number, not "${options.seconds}"`);
      io.setExitCode(EXIT.usage);
      return;
    }
    seconds = Number(options.seconds);
  }
  const hub = createScannerHub({
    settings: parsed.settings,
    ...(deps.openSerialPort ? { openSerialPort: deps.openSerialPort } : {}),
    ...(deps.hidBackend ? { hidBackend: deps.hidBackend } : {}),
  });
  hub.subscribe((event) => printEvent(io, event, json));
  if (!json) io.err(`Listening${seconds !== null ? ` for ${seconds} s` : ''}; scan a code (Ctrl+C to stop).`);
  hub.start();
  let timer: ReturnType<typeof setTimeout> | null = null;
  const ends: Array<Promise<unknown>> = [deps.until ?? untilSignal()];
  if (seconds !== null) ends.push(new Promise((resolve) => (timer = setTimeout(resolve, seconds * 1000))));
  await Promise.race(ends);
  if (timer !== null) clearTimeout(timer);
  await hub.stop();
}

export type DecodeCommandOptions = Readonly<{ json?: boolean; roi?: string; language?: Language }>;

function parseRoi(text: string): RegionOfInterest | null {
  const parts = text.split(',').map((p) => Number(p));
  if (parts.length !== 4 || parts.some((p) => !Number.isFinite(p) || p < 0 || p > 1)) return null;
  const [x = 0, y = 0, width = 0, height = 0] = parts;
  return width > 0 && height > 0 ? { x, y, width, height } : null;
}

/** `gcterm decode`: exit 0 only when every image gave a code. */
export async function runDecodeCommand(io: CliIO, files: readonly string[], options: DecodeCommandOptions): Promise<void> {
  let roi: RegionOfInterest | null = null;
  if (options.roi !== undefined) {
    roi = parseRoi(options.roi);
    if (!roi) {
      io.err(say(options.language ?? 'en', 'roi'));
      io.setExitCode(EXIT.usage);
      return;
    }
  }
  let failures = 0;
  for (const file of files) {
    const result = await decodeImageFile(file, CAMERA_DECODER, roi);
    if (!result.ok) failures++;
    if (options.json) {
      io.out(JSON.stringify(result.ok ? { file, ok: true, text: result.code.text, symbology: result.code.symbology, format: result.code.format, ms: result.ms } : { file, ok: false, reason: result.reason, ms: result.ms }));
    } else {
      io.out(result.ok ? `${file}\t${result.code.text}` : `${file}\t✘ ${describeDecodeFailure(result.reason, options.language ?? 'en')}`);
    }
  }
  io.setExitCode(failures === 0 ? EXIT.ok : EXIT.failed);
}

const jsonOf = (command: Command): boolean => command.optsWithGlobals<{ json?: boolean }>().json === true;

export const registerScanCommands: RegisterCommand = (program, io) => {
  program
    .command('scan')
    .description('listen to a serial and/or USB HID scanner and print each scan (installer check)')
    .option('--serial <path>', 'serial port: /dev/ttyUSB0, /dev/serial/by-id/…, COM3')
    .option('--baud <n>', `baud rate (default ${DEFAULT_SCANNER_SETTINGS.serial.baudRate})`)
    .option('--parity <parity>', `${PARITIES.join('|')} (default none)`)
    .option('--data-bits <n>', '7 or 8 (default 8)')
    .option('--framing <framing>', `end of a code: ${FRAMINGS.join('|')} (default cr)`)
    .option('--hid <vid:pid>', 'USB HID scanner by vendor:product id in hex, e.g. 0c2e:0b61')
    .option('--hid-mode <mode>', `${HID_MODES.join('|')} (default auto: HID POS if the scanner offers it)`)
    .option('--list', 'list serial ports and USB HID devices, then exit')
    .option('--seconds <n>', 'stop after this many seconds (default: until Ctrl+C)')
    .option('--json', 'one ScanEvent as JSON per line on stdout; other events as JSON on stderr')
    .action(async (options: ScanCommandOptions, command: Command) => {
      await runScanCommand(io, { ...options, json: options.json === true || jsonOf(command) });
    });

  program
    .command('decode')
    .description("decode PNG/JPEG images with the camera's decoder: prints file<TAB>code; exit 0 only if all decoded")
    .argument('<image...>', 'image files')
    .option('--roi <x,y,w,h>', 'try this region first, as fractions of the image (as the camera does)')
    .option('--json', 'one JSON object per image')
    .action(async (files: string[], options: DecodeCommandOptions, command: Command) => {
      const language = pickLanguage(command.optsWithGlobals<{ lang?: string }>().lang, process.env);
      await runDecodeCommand(io, files, { ...options, json: options.json === true || jsonOf(command), language });
    });
};
