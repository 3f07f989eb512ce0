/**
 * Decoding of USB HID input reports from barcode scanners, as pure functions of the report bytes.
 * node-hid hands `hid.ts` each input report as a Buffer; `hid.ts` hands it to one of these
 * decoders. Tests feed recorded report streams through the very same `push`.
 *
 * Two report kinds exist in the wild:
 *  - keyboard emulation (usage page 0x07): a boot keyboard report per key change,
 *    `[modifiers, reserved, key1…key6]`; text is rebuilt from key-down transitions;
 *  - HID POS barcode scanner (usage page 0x8C): the decoded text comes whole, with its AIM
 *    symbology identifier, in 64-byte "scanned data" reports.
 */
import { symbologyFromAimId } from '../../shared/scan/aim.ts';
import type { Symbology } from '../../shared/scan/events.ts';
import { usKeyChar } from '../../shared/scan/us-keyboard.ts';

export type HidDecodeOutput =
  | Readonly<{ type: 'code'; text: string; symbology?: Symbology }>
  | Readonly<{ type: 'error'; code: 'truncated_report' | 'bad_report'; message: string }>;

export type HidReportDecoder = {
  /** One input report exactly as node-hid delivers it. */
  push(report: Uint8Array): HidDecodeOutput[];
  /** The scanner went quiet: end a code that had no Enter/Tab suffix (keyboard mode). */
  flush(): HidDecodeOutput[];
  reset(): void;
  /** Characters of an unfinished code. */
  readonly pending: number;
};

// ---------------------------------------------------------------------------------------------
// Keyboard usage page 0x07

/** HID keyboard usage ID → `KeyboardEvent.code`, so one US layout table serves HID and the wedge. */
const USAGE_TO_CODE: ReadonlyMap<number, string> = new Map<number, string>([
  ...Array.from({ length: 26 }, (_, i): [number, string] => [0x04 + i, `Key${String.fromCharCode(65 + i)}`]),
  ...Array.from({ length: 9 }, (_, i): [number, string] => [0x1e + i, `Digit${i + 1}`]),
  [0x27, 'Digit0'],
  [0x2c, 'Space'],
  [0x2d, 'Minus'],
  [0x2e, 'Equal'],
  [0x2f, 'BracketLeft'],
  [0x30, 'BracketRight'],
  [0x31, 'Backslash'],
  [0x33, 'Semicolon'],
  [0x34, 'Quote'],
  [0x35, 'Backquote'],
  [0x36, 'Comma'],
  [0x37, 'Period'],
  [0x38, 'Slash'],
  [0x54, 'NumpadDivide'],
  [0x55, 'NumpadMultiply'],
  [0x56, 'NumpadSubtract'],
  [0x57, 'NumpadAdd'],
  ...Array.from({ length: 9 }, (_, i): [number, string] => [0x59 + i, `Numpad${i + 1}`]),
  [0x62, 'Numpad0'],
  [0x63, 'NumpadDecimal'],
]);

const USAGE_ENTER = 0x28;
const USAGE_TAB = 0x2b;
const USAGE_KEYPAD_ENTER = 0x58;
const USAGE_CAPS_LOCK = 0x39;
const USAGE_ERROR_ROLLOVER = 0x01;
const USAGE_KEYPAD_1 = 0x59;
const USAGE_KEYPAD_0 = 0x62;

const MOD_LEFT_CTRL = 0x01;
const MOD_LEFT_SHIFT = 0x02;
const MOD_LEFT_ALT = 0x04;
const MOD_LEFT_GUI = 0x08;
const MOD_RIGHT_CTRL = 0x10;
const MOD_RIGHT_SHIFT = 0x20;
const MOD_RIGHT_ALT = 0x40;
const MOD_RIGHT_GUI = 0x80;

export type KeyboardDecoderOptions = Readonly<{
  /**
   * Whether byte 0 is a report ID. 'auto': a 9-byte report has one (composite devices number
   * their reports), an 8-byte one does not (plain boot keyboard).
   */
  reportId?: boolean | 'auto';
  /** Caps lock state of the scanner's idea of the keyboard when we start. */
  capsLock?: boolean;
}>;

/**
 * Rebuilds typed text from boot keyboard reports. A character is produced when its key appears in
 * a report (key-down), never when it disappears (key-up) or stays (rollover). Shift gives capitals
 * and symbols, caps lock toggles letters, Alt + keypad digits is the Windows "Alt code" some
 * scanners use for characters a layout cannot type. Enter, keypad Enter and Tab end a code.
 */
export function createKeyboardReportDecoder(options: KeyboardDecoderOptions = {}): HidReportDecoder {
  const reportIdOption = options.reportId ?? 'auto';
  let pressed: number[] = [];
  let capsLock = options.capsLock ?? false;
  let text = '';
  /** Digits typed on the keypad while Alt is held; a character when Alt is released. */
  let altCode: string | null = null;

  const endCode = (out: HidDecodeOutput[]): void => {
    if (text.length > 0) out.push({ type: 'code', text });
    text = '';
  };

  return {
    push(report) {
      const out: HidDecodeOutput[] = [];
      const hasId = reportIdOption === 'auto' ? report.length === 9 : reportIdOption;
      const body = hasId ? report.subarray(1) : report;
      if (body.length < 8) {
        out.push({
          type: 'error',
          code: 'truncated_report',
          message: `Keyboard report of ${body.length} bytes (8 expected) ignored; the scanner or its cable may be faulty.`,
        });
        return out;
      }
      const modifiers = body[0] ?? 0;
      const keys: number[] = [];
      for (const usage of body.subarray(2, 8)) if (usage !== 0) keys.push(usage);
      // Too many keys at once: the keyboard says "phantom state" and lists no real keys.
      if (keys.includes(USAGE_ERROR_ROLLOVER)) return out;

      const shift = (modifiers & (MOD_LEFT_SHIFT | MOD_RIGHT_SHIFT)) !== 0;
      const alt = (modifiers & (MOD_LEFT_ALT | MOD_RIGHT_ALT)) !== 0;
      const ctrlOrGui = (modifiers & (MOD_LEFT_CTRL | MOD_RIGHT_CTRL | MOD_LEFT_GUI | MOD_RIGHT_GUI)) !== 0;

      if (altCode !== null && !alt) {
        const value = Number.parseInt(altCode, 10);
        // Alt codes without a leading 0 are OEM code page 437; for ASCII both agree, and beyond
        // ASCII no card code goes, so both are read as Latin-1 and left to validation.
        if (Number.isFinite(value) && value > 0 && value < 256) text += String.fromCharCode(value);
        altCode = null;
      }

      for (const usage of keys) {
        if (pressed.includes(usage)) continue; // still held from the last report: not a new press
        if (usage === USAGE_CAPS_LOCK) {
          capsLock = !capsLock;
          continue;
        }
        if (usage === USAGE_ENTER || usage === USAGE_KEYPAD_ENTER || usage === USAGE_TAB) {
          endCode(out);
          continue;
        }
        if (alt) {
          if (usage >= USAGE_KEYPAD_1 && usage <= USAGE_KEYPAD_0) {
            altCode = (altCode ?? '') + (usage === USAGE_KEYPAD_0 ? '0' : String(usage - USAGE_KEYPAD_1 + 1));
          }
          continue;
        }
        if (ctrlOrGui) continue; // a shortcut, not text
        const code = USAGE_TO_CODE.get(usage);
        if (code === undefined) continue; // arrows, F-keys and the like type nothing
        const char = usKeyChar(code, shift, capsLock);
        if (char !== null) text += char;
      }
      pressed = keys;
      return out;
    },
    flush() {
      const out: HidDecodeOutput[] = [];
      endCode(out);
      return out;
    },
    reset() {
      pressed = [];
      text = '';
      altCode = null;
      capsLock = options.capsLock ?? false;
    },
    get pending() {
      return text.length;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// HID POS barcode scanner usage page 0x8C

/**
 * Where the fields sit in a scanned-data input report, counted with the report ID at byte 0 (as
 * node-hid delivers numbered reports). The default is the layout Honeywell, Zebra and Datalogic
 * scanners use in "USB HID POS" mode: report 0x02, 64 bytes.
 */
export type PosReportLayout = Readonly<{
  reportId: number;
  /** Byte holding the number of data bytes in this report. */
  lengthOffset: number;
  /** Three bytes of AIM symbology identifier (`]Q1`). */
  symbologyOffset: number;
  dataOffset: number;
  /** Most data bytes one report carries; longer codes continue in the next report. */
  maxData: number;
  /** Byte whose bit 0 says "more data follows in the next report"; null when never split. */
  continuationOffset: number | null;
}>;

export const HID_POS_LAYOUT: PosReportLayout = {
  reportId: 0x02,
  lengthOffset: 1,
  symbologyOffset: 2,
  dataOffset: 5,
  maxData: 56,
  continuationOffset: 63,
};

const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Scanners send ASCII; QR content may be UTF-8. Bytes that are not UTF-8 are read as Latin-1. */
function bytesToText(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return latin1.decode(bytes);
  }
}

export function createPosReportDecoder(layout: PosReportLayout = HID_POS_LAYOUT): HidReportDecoder {
  let parts: Uint8Array[] = [];
  let pendingBytes = 0;
  let symbology: Symbology | undefined;

  const reset = (): void => {
    parts = [];
    pendingBytes = 0;
    symbology = undefined;
  };

  return {
    push(report) {
      const out: HidDecodeOutput[] = [];
      if (report.length === 0) {
        out.push({ type: 'error', code: 'truncated_report', message: 'Empty HID POS report ignored.' });
        return out;
      }
      // Other report IDs carry status and configuration, not codes.
      if (report[0] !== layout.reportId) return out;
      const declared = report[layout.lengthOffset];
      if (declared === undefined || report.length < layout.dataOffset) {
        reset();
        out.push({
          type: 'error',
          code: 'truncated_report',
          message: `HID POS report of ${report.length} bytes is too short to hold a code; scan again.`,
        });
        return out;
      }
      if (declared > layout.maxData) {
        reset();
        out.push({ type: 'error', code: 'bad_report', message: `HID POS report claims ${declared} data bytes (at most ${layout.maxData}); scan again.` });
        return out;
      }
      if (report.length < layout.dataOffset + declared) {
        // Part of the code is missing: emitting the rest would hand over a wrong code.
        reset();
        out.push({
          type: 'error',
          code: 'truncated_report',
          message: `HID POS report cut short (${report.length - layout.dataOffset} of ${declared} data bytes); scan again.`,
        });
        return out;
      }
      if (parts.length === 0) {
        const aim = latin1.decode(report.subarray(layout.symbologyOffset, layout.symbologyOffset + 3));
        symbology = symbologyFromAimId(aim) ?? undefined;
      }
      const data = report.slice(layout.dataOffset, layout.dataOffset + declared);
      parts.push(data);
      pendingBytes += data.length;
      const more = layout.continuationOffset !== null && ((report[layout.continuationOffset] ?? 0) & 0x01) === 1;
      if (more) return out;
      const all = new Uint8Array(pendingBytes);
      let offset = 0;
      for (const part of parts) {
        all.set(part, offset);
        offset += part.length;
      }
      const found = symbology;
      reset();
      // Some scanners append their programmed CR suffix inside the data: it is framing, not code.
      const text = bytesToText(all).replace(/[\r\n]+$/, '');
      if (text.length > 0) out.push(found ? { type: 'code', text, symbology: found } : { type: 'code', text });
      return out;
    },
    flush() {
      return [];
    },
    reset,
    get pending() {
      return pendingBytes;
    },
  };
}

/** `'0c2e'`-style hex for messages and device names. */
export function hex4(value: number): string {
  return value.toString(16).padStart(4, '0');
}
