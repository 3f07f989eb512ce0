/**
 * Scanner settings: the text rules every read is judged by, and each kind of scanner's own
 * settings, with the defaults and the merge of stored (possibly older, partial) settings.
 */
import { MAX_CODE_LENGTH, MIN_CODE_LENGTH } from '../codes.ts';

/** Which characters a scanned text may contain once stripped. */
export type ScanCharset = 'digits' | 'alphanumeric' | 'printable';

export type ScanTextRules = Readonly<{
  /** Removed from the start when present (a scanner-programmed prefix); '' for none. */
  prefix: string;
  /** Removed from the end when present; '' for none. */
  suffix: string;
  /**
   * When true, a leading AIM symbology identifier (`]Q1`, `]C0`, `]E0`…) is parsed into
   * `symbology` and removed. Turn on only if the scanner is programmed to send it.
   */
  aimPrefix: boolean;
  minLength: number;
  maxLength: number;
  charset: ScanCharset;
  /**
   * The same text again within this many milliseconds of its last sighting is dropped. Sliding:
   * a card held under a camera keeps being suppressed until it has been away for the window.
   */
  duplicateWindowMs: number;
}>;

export type SerialParity = 'none' | 'even' | 'odd' | 'mark' | 'space';

/**
 * How a serial scanner marks the end of a code. The line framings also trim stray CR/LF, so a
 * scanner sending CRLF on a port set to CR still reads cleanly. 'idle' ends a code after
 * `idleGapMs` without bytes, for scanners programmed without any suffix.
 */
export type SerialFraming = 'cr' | 'lf' | 'crlf' | 'stx-etx' | 'idle';

export type SerialScannerSettings = Readonly<{
  enabled: boolean;
  /** `/dev/ttyUSB0`, `/dev/serial/by-id/…` (survives replugging) or `COM3`. */
  path: string | null;
  baudRate: number;
  dataBits: 7 | 8;
  parity: SerialParity;
  stopBits: 1 | 2;
  framing: SerialFraming;
  idleGapMs: number;
  /** How often to retry opening a port that is unplugged or not there yet. */
  reconnectIntervalMs: number;
}>;

/** 'pos': HID POS barcode reports (usage page 0x8C); 'keyboard': boot keyboard reports (0x07). */
export type HidMode = 'auto' | 'pos' | 'keyboard';

export type HidScannerSettings = Readonly<{
  enabled: boolean;
  vendorId: number | null;
  productId: number | null;
  /** Pick the interface with this usage page (0x8C POS, 0x01 keyboard); null = by `mode`. */
  usagePage: number | null;
  mode: HidMode;
  /** Keyboard mode: a code without Enter/Tab suffix ends after this many quiet milliseconds. */
  idleGapMs: number;
  reconnectIntervalMs: number;
}>;

/**
 * Keyboard-wedge detection (a USB scanner typing like a keyboard). A burst is a scan when it has
 * at least `minLength` characters, every gap between key presses is at most `maxGapMs`, and (if
 * `requireSuffix`) it ends with one of `suffixKeys` within `maxGapMs` of the last character.
 */
export type WedgeSettings = Readonly<{
  enabled: boolean;
  maxGapMs: number;
  minLength: number;
  /** `KeyboardEvent.code` values that end a scan. */
  suffixKeys: readonly string[];
  requireSuffix: boolean;
  /**
   * How long a key is held back before it is given to the focused field as typing. Must exceed
   * `maxGapMs` so a scanner's next key always arrives first; the cashier's typing shows this late.
   */
  holdMs: number;
  /**
   * 'us': characters come from physical key positions on a US layout (what scanners emulate by
   * default), so the OS layout and IME cannot change them. 'os': use the characters the OS
   * produced, for a scanner programmed to match a local layout.
   */
  layout: 'us' | 'os';
}>;

/** A rectangle as fractions (0–1) of the frame, so it survives a resolution change. */
export type RegionOfInterest = Readonly<{ x: number; y: number; width: number; height: number }>;

export type CameraSettings = Readonly<{
  enabled: boolean;
  /** `MediaDeviceInfo.deviceId`; null = the system's default (or rear) camera. */
  deviceId: string | null;
  /** Searched first; the whole frame is tried every few frames in case the code is outside. */
  roi: RegionOfInterest | null;
  /** Release the camera as soon as a code is read. */
  stopAfterScan: boolean;
}>;

export type ScannerSettings = Readonly<{
  text: ScanTextRules;
  serial: SerialScannerSettings;
  hid: HidScannerSettings;
  wedge: WedgeSettings;
  camera: CameraSettings;
}>;

export const DEFAULT_SCANNER_SETTINGS: ScannerSettings = {
  text: {
    prefix: '',
    suffix: '',
    aimPrefix: false,
    minLength: MIN_CODE_LENGTH,
    maxLength: MAX_CODE_LENGTH,
    charset: 'alphanumeric',
    duplicateWindowMs: 1500,
  },
  serial: {
    enabled: false,
    path: null,
    baudRate: 9600,
    dataBits: 8,
    parity: 'none',
    stopBits: 1,
    framing: 'cr',
    idleGapMs: 80,
    reconnectIntervalMs: 1000,
  },
  hid: {
    enabled: false,
    vendorId: null,
    productId: null,
    usagePage: null,
    mode: 'auto',
    idleGapMs: 100,
    reconnectIntervalMs: 1000,
  },
  wedge: {
    enabled: true,
    maxGapMs: 50,
    minLength: MIN_CODE_LENGTH,
    suffixKeys: ['Enter', 'NumpadEnter', 'Tab'],
    requireSuffix: true,
    holdMs: 90,
    layout: 'us',
  },
  camera: {
    enabled: false,
    deviceId: null,
    roi: null,
    stopAfterScan: true,
  },
};

/** Partial settings as stored (older files may lack newer fields) → complete settings. */
export type ScannerSettingsPatch = { readonly [S in keyof ScannerSettings]?: Partial<ScannerSettings[S]> };

export function withScannerDefaults(patch: ScannerSettingsPatch = {}, base: ScannerSettings = DEFAULT_SCANNER_SETTINGS): ScannerSettings {
  return {
    text: { ...base.text, ...patch.text },
    serial: { ...base.serial, ...patch.serial },
    hid: { ...base.hid, ...patch.hid },
    wedge: { ...base.wedge, ...patch.wedge },
    camera: { ...base.camera, ...patch.camera },
  };
}
