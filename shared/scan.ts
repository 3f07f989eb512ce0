/**
 * One scan pipeline for every scanner: serial, USB HID, keyboard wedge and camera all hand a
 * `RawScan` to `createScanPipeline`, which strips the configured prefix/suffix, validates length
 * and charset, suppresses the same text repeated within a window and classifies what is left.
 * Everything a scanner can do wrong comes out as an event value, never as a thrown error, so a
 * noisy cable or a bad frame can never take the counter down (DESIGN.md invariant 6).
 *
 * Pure: no node:*, no DOM. The core (src-main/scanners) and the renderer (src-renderer/scanners)
 * both run this same code, so a scan is judged the same way whichever side read it.
 */
import { classifyCode, MAX_CODE_LENGTH, MIN_CODE_LENGTH, type CodeKind } from './codes.ts';

export type ScanSource = 'serial' | 'hid' | 'keyboard' | 'camera';

/** Barcode symbologies we can name; what scanners report beyond these becomes 'other'. */
export type Symbology =
  | 'qr-code'
  | 'code-128'
  | 'ean-13'
  | 'ean-8'
  | 'upc-a'
  | 'upc-e'
  | 'code-39'
  | 'code-93'
  | 'itf'
  | 'codabar'
  | 'data-matrix'
  | 'pdf417'
  | 'aztec'
  | 'databar'
  | 'other';

/** A read as a scanner delivered it, before the pipeline has looked at it. */
export type RawScan = Readonly<{
  source: ScanSource;
  /** Which scanner: a serial path, `hid:0c2e:0b61`, `keyboard`, or a camera label. */
  device: string;
  /** The text exactly as received (framing removed, nothing else). */
  raw: string;
  symbology?: Symbology;
  /** Epoch milliseconds when the read completed. */
  at: number;
}>;

/** A read that passed the pipeline: `text` is what classification and redemption see. */
export type ScanEvent = Readonly<{
  source: ScanSource;
  device: string;
  raw: string;
  text: string;
  symbology?: Symbology;
  at: number;
}>;

export type ScanRejectReason = 'empty' | 'too_short' | 'too_long' | 'charset' | 'duplicate';

export type ScannerErrorCode =
  | 'not_configured' // no path / VID:PID set
  | 'not_found' // the configured device is not plugged in
  | 'permission_denied' // the OS refuses access (udev rule missing, camera permission denied)
  | 'busy' // another program holds the device
  | 'open_failed'
  | 'disconnected' // unplugged while in use; reconnection follows
  | 'read_failed'
  | 'frame_overflow' // bytes with no terminator beyond the frame limit were dropped
  | 'bad_report' // a HID report this decoder cannot understand
  | 'truncated_report' // a HID report shorter than its own length field says
  | 'driver_unavailable' // serialport / node-hid native module or camera API missing
  | 'unsupported' // e.g. a keyboard-mode scanner on Windows through HID
  | 'no_camera'
  | 'insecure_context' // the page is not https/localhost, so no camera API
  | 'decoder_failed'
  | 'classifier_failed'
  | 'listener_failed';

/** Something went wrong with a scanner; shown to the cashier or installer, never thrown. */
export type ScannerError = Readonly<{
  source: ScanSource;
  device: string;
  code: ScannerErrorCode;
  /** One sentence for a person: what happened and what to do. */
  message: string;
  at: number;
}>;

export type ScannerState = 'connecting' | 'connected' | 'disconnected';

export type ScannerStatus = Readonly<{
  source: ScanSource;
  device: string;
  state: ScannerState;
  at: number;
}>;

/** Where a scanner driver reports: reads go to the pipeline, errors and status straight out. */
export type ScannerSink = Readonly<{
  read(read: RawScan): void;
  error(error: ScannerError): void;
  status(status: ScannerStatus): void;
}>;

/** Everything the pipeline and the scanners report, as one stream. */
export type ScanPipelineEvent<K = CodeKind> =
  | Readonly<{ type: 'scan'; scan: ScanEvent; kind: K }>
  | Readonly<{ type: 'rejected'; reason: ScanRejectReason; read: RawScan; text: string; message: string }>
  | Readonly<{ type: 'error'; error: ScannerError }>
  | Readonly<{ type: 'status'; status: ScannerStatus }>;

// ---------------------------------------------------------------------------------------------
// Settings

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

// ---------------------------------------------------------------------------------------------
// Camera decoder settings, shared by the camera (renderer), `gcterm decode` and the bench so a
// still image is judged exactly as a camera frame would be.

/** Formats WeChat shows for a card: restricting the search is most of the decoder's speed. */
export type CameraFormat = 'QRCode' | 'Code128' | 'EAN13';

export type CameraDecoderSettings = Readonly<{
  formats: readonly CameraFormat[];
  /** Passes tried in order on each frame until one finds a code. See `decodePasses`. */
  passes: readonly DecodePass[];
}>;

/**
 * One attempt on a frame: which part of it (the ROI or all of it), the longest side to scale it
 * down to before decoding, and how hard the decoder should look.
 */
export type DecodePass = Readonly<{
  region: 'roi' | 'full';
  /** Scale down so the longest side is at most this many pixels; 0 = never scale. */
  maxSide: number;
  /** zxing-cpp: more scan lines, more finder-pattern candidates. */
  tryHarder: boolean;
  /** Also look for light-on-dark codes (a phone in dark mode). */
  tryInvert: boolean;
  /** Also try the frame turned 90° (a linear code held upright). */
  tryRotate: boolean;
  /** Let zxing-cpp also try its own half-size copy (averaging out noise and screen moiré). */
  tryDownscale: boolean;
  /** Soften the image first (σ ≈ 1.4 px): reads noisy or moiré-striped barcodes the others miss. */
  smooth: boolean;
}>;

/** What a camera or still-image decode found. */
export type DecodedCode = Readonly<{ text: string; symbology: Symbology; format: string }>;

/**
 * zxing-wasm reader options for one pass (structurally its `ReaderOptions`, without importing it
 * here: shared/ stays free of packages that assume a DOM).
 */
export type ZxingReaderOptions = {
  formats: CameraFormat[];
  tryHarder: boolean;
  tryInvert: boolean;
  tryRotate: boolean;
  tryDownscale: boolean;
  downscaleThreshold: number;
  downscaleFactor: number;
  maxNumberOfSymbols: number;
};

export function readerOptionsForPass(pass: DecodePass, formats: readonly CameraFormat[]): ZxingReaderOptions {
  return {
    formats: [...formats],
    tryHarder: pass.tryHarder,
    tryInvert: pass.tryInvert,
    tryRotate: pass.tryRotate,
    tryDownscale: pass.tryDownscale,
    // zxing-cpp only downscales images at least 500 px on their short side, by 3. Starting at
    // 240 px, by 2, read 6 more of the bench's 64 images (noisy barcodes) at the same speed.
    downscaleThreshold: 240,
    downscaleFactor: 2,
    // One card at a time: stopping at the first code halves the time per image.
    maxNumberOfSymbols: 1,
  };
}

/**
 * Chosen from the bench (bench/scanners.bench.ts; figures in docs/scanners.md "Decoder"):
 * zxing-wasm (zxing-cpp) read 54 of 64 degraded images in ~5 ms each where @zxing/library read
 * 35 at best in ~60 ms, and nothing @zxing/library read was missed by zxing-wasm. A still image
 * runs the passes in order until one reads; the camera runs one pass per frame, in turn, so no
 * frame costs more than one pass and every pass gets a frame within three.
 */
export const CAMERA_DECODER: CameraDecoderSettings = {
  formats: ['QRCode', 'Code128', 'EAN13'],
  passes: [
    // The box the cashier is told to hold the card in: small, so quick, and usually enough.
    { region: 'roi', maxSide: 0, tryHarder: true, tryInvert: false, tryRotate: false, tryDownscale: true, smooth: false },
    { region: 'full', maxSide: 0, tryHarder: true, tryInvert: true, tryRotate: true, tryDownscale: true, smooth: false },
    // +2 of 64 on the bench: barcodes behind heavy noise or a phone screen's moiré.
    { region: 'full', maxSide: 0, tryHarder: true, tryInvert: false, tryRotate: true, tryDownscale: true, smooth: true },
  ],
};

/** A crop of a frame in pixels. */
export type PixelRect = Readonly<{ x: number; y: number; width: number; height: number }>;

/** The pixel rectangle of a ROI in a frame, clamped to the frame; null when empty. */
export function roiToPixels(roi: RegionOfInterest, frameWidth: number, frameHeight: number): PixelRect | null {
  const x0 = clamp(Math.round(roi.x * frameWidth), 0, frameWidth);
  const y0 = clamp(Math.round(roi.y * frameHeight), 0, frameHeight);
  const x1 = clamp(Math.round((roi.x + roi.width) * frameWidth), 0, frameWidth);
  const y1 = clamp(Math.round((roi.y + roi.height) * frameHeight), 0, frameHeight);
  if (x1 - x0 < 1 || y1 - y0 < 1) return null;
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/**
 * The passes to run on a frame, with ROI passes resolved to pixels. Without a ROI (or when the ROI
 * is the whole frame) a ROI pass would repeat the full-frame one, so it is dropped.
 */
export function decodePasses(
  settings: CameraDecoderSettings,
  roi: RegionOfInterest | null,
  frameWidth: number,
  frameHeight: number,
): ReadonlyArray<DecodePass & { rect: PixelRect }> {
  const full: PixelRect = { x: 0, y: 0, width: frameWidth, height: frameHeight };
  const roiRect = roi ? roiToPixels(roi, frameWidth, frameHeight) : null;
  const roiIsFull = roiRect !== null && roiRect.width === frameWidth && roiRect.height === frameHeight;
  const out: Array<DecodePass & { rect: PixelRect }> = [];
  for (const pass of settings.passes) {
    if (pass.region === 'roi') {
      if (roiRect === null || roiIsFull) continue;
      out.push({ ...pass, rect: roiRect });
    } else {
      out.push({ ...pass, rect: full });
    }
  }
  // Without any ROI the first full pass must still be the one that looks hard.
  if (out.length === 0) out.push({ region: 'full', maxSide: 0, tryHarder: true, tryInvert: true, tryRotate: true, tryDownscale: true, smooth: false, rect: full });
  return out;
}

/** zxing-cpp names ('QRCode', 'EAN-13', 'EAN13', 'Code128'…) → our symbology names. */
export function symbologyFromFormatName(format: string): Symbology {
  const key = format.replace(/[^a-z0-9]/gi, '').toLowerCase();
  switch (key) {
    case 'qrcode':
    case 'microqrcode':
    case 'rmqrcode':
      return 'qr-code';
    case 'code128':
      return 'code-128';
    case 'ean13':
      return 'ean-13';
    case 'ean8':
      return 'ean-8';
    case 'upca':
      return 'upc-a';
    case 'upce':
      return 'upc-e';
    case 'code39':
      return 'code-39';
    case 'code93':
      return 'code-93';
    case 'itf':
      return 'itf';
    case 'codabar':
      return 'codabar';
    case 'datamatrix':
      return 'data-matrix';
    case 'pdf417':
      return 'pdf417';
    case 'aztec':
      return 'aztec';
    default:
      return key.startsWith('databar') || key.startsWith('rss') ? 'databar' : 'other';
  }
}

// ---------------------------------------------------------------------------------------------
// AIM symbology identifiers (ISO/IEC 15424): `]` + code character + modifier. HID POS scanners
// send one with every code; serial and keyboard scanners can be programmed to prefix it.

const AIM_PATTERN = /^\][A-Za-z][0-9A-Za-z]/;

/** `]Q1` → 'qr-code'; null when the text does not start with an AIM identifier. */
export function symbologyFromAimId(aim: string): Symbology | null {
  if (!AIM_PATTERN.test(aim)) return null;
  const letter = aim.charAt(1);
  const modifier = aim.charAt(2);
  switch (letter) {
    case 'Q':
      return 'qr-code';
    case 'C':
      return 'code-128';
    case 'E':
      // ]E0 is EAN-13 (UPC-A travels as EAN-13 with a leading 0), ]E4 EAN-8.
      return modifier === '4' ? 'ean-8' : 'ean-13';
    case 'A':
      return 'code-39';
    case 'G':
      return 'code-93';
    case 'I':
      return 'itf';
    case 'F':
      return 'codabar';
    case 'd':
      return 'data-matrix';
    case 'L':
      return 'pdf417';
    case 'z':
      return 'aztec';
    case 'e':
      return 'databar';
    default:
      return 'other';
  }
}

// ---------------------------------------------------------------------------------------------
// The US keyboard layout, by physical key (`KeyboardEvent.code` names). Scanners in keyboard mode
// emulate a US keyboard unless programmed otherwise, so reading key positions through this table
// gives the scanner's characters whatever layout or IME the OS has active. Shared by the HID
// keyboard decoder (src-main) and the keyboard wedge (renderer).

const DIGIT_SHIFTED = ')!@#$%^&*(';

/** code → [unshifted, shifted]. Letters are lower/upper; caps lock is applied by the caller. */
export const US_KEY_CHARS: ReadonlyMap<string, readonly [string, string]> = new Map<string, readonly [string, string]>([
  ...Array.from({ length: 26 }, (_, i): [string, readonly [string, string]] => {
    const lower = String.fromCharCode(97 + i);
    return [`Key${lower.toUpperCase()}`, [lower, lower.toUpperCase()]];
  }),
  ...Array.from({ length: 10 }, (_, d): [string, readonly [string, string]] => [`Digit${d}`, [String(d), DIGIT_SHIFTED.charAt(d)]]),
  ...Array.from({ length: 10 }, (_, d): [string, readonly [string, string]] => [`Numpad${d}`, [String(d), String(d)]]),
  ['Minus', ['-', '_']],
  ['Equal', ['=', '+']],
  ['BracketLeft', ['[', '{']],
  ['BracketRight', [']', '}']],
  ['Backslash', ['\\', '|']],
  ['Semicolon', [';', ':']],
  ['Quote', ["'", '"']],
  ['Backquote', ['`', '~']],
  ['Comma', [',', '<']],
  ['Period', ['.', '>']],
  ['Slash', ['/', '?']],
  ['Space', [' ', ' ']],
  ['NumpadDecimal', ['.', '.']],
  ['NumpadAdd', ['+', '+']],
  ['NumpadSubtract', ['-', '-']],
  ['NumpadMultiply', ['*', '*']],
  ['NumpadDivide', ['/', '/']],
]);

/** The character a US keyboard types for a key, or null for keys that type nothing. */
export function usKeyChar(code: string, shift: boolean, capsLock = false): string | null {
  const chars = US_KEY_CHARS.get(code);
  if (!chars) return null;
  const isLetter = code.startsWith('Key');
  const upper = isLetter ? shift !== capsLock : shift;
  return upper ? chars[1] : chars[0];
}

// ---------------------------------------------------------------------------------------------
// The pipeline

export type ScanPipeline<K> = {
  /** Judges one read. Never throws: a faulty classifier becomes an 'error' event. */
  process(read: RawScan): ScanPipelineEvent<K>;
  /** Forgets recent texts (e.g. when the cashier cancels and wants to scan the same card again). */
  reset(): void;
};

/** Characters a scanner adds around a code that are never part of it. */
const EDGE_NOISE = /^[\s\u0000-\u001f\u007f]+|[\s\u0000-\u001f\u007f]+$/g;

const CHARSET_PATTERNS: Readonly<Record<ScanCharset, RegExp>> = {
  digits: /^[0-9]+$/,
  alphanumeric: /^[0-9A-Za-z]+$/,
  printable: /^[\u0020-\u007e]+$/,
};

/** Strips what the rules say to strip; returns the text and any symbology found in an AIM prefix. */
export function normalizeScanText(raw: string, rules: Pick<ScanTextRules, 'prefix' | 'suffix' | 'aimPrefix'>): { text: string; symbology: Symbology | null } {
  let text = raw.replace(EDGE_NOISE, '');
  let symbology: Symbology | null = null;
  if (rules.aimPrefix) {
    const found = symbologyFromAimId(text.slice(0, 3));
    if (found !== null) {
      symbology = found;
      text = text.slice(3);
    }
  }
  if (rules.prefix !== '' && text.startsWith(rules.prefix)) text = text.slice(rules.prefix.length);
  if (rules.suffix !== '' && text.endsWith(rules.suffix)) text = text.slice(0, text.length - rules.suffix.length);
  return { text: text.replace(EDGE_NOISE, ''), symbology };
}

/** Why a text cannot be a code under these rules, or null when it can. */
export function validateScanText(text: string, rules: Pick<ScanTextRules, 'minLength' | 'maxLength' | 'charset'>): Exclude<ScanRejectReason, 'duplicate'> | null {
  if (text === '') return 'empty';
  if (!CHARSET_PATTERNS[rules.charset].test(text)) return 'charset';
  if (text.length < rules.minLength) return 'too_short';
  if (text.length > rules.maxLength) return 'too_long';
  return null;
}

const REJECT_MESSAGES: Readonly<Record<ScanRejectReason, string>> = {
  empty: 'The scanner sent nothing readable.',
  too_short: 'Too short to be a card code; scan again.',
  too_long: 'Too long to be a card code (two codes run together?); scan again.',
  charset: 'Contains characters no card code has (check the scanner keyboard layout); scan again.',
  duplicate: 'Same code scanned again; ignored.',
};

export function rejectMessage(reason: ScanRejectReason): string {
  return REJECT_MESSAGES[reason];
}

/** Uses `classifyCode` (shared/codes.ts) to say what each accepted code is. */
export function createScanPipeline(rules: ScanTextRules): ScanPipeline<CodeKind>;
/** With a classifier of your own: `kind` on each scan event is whatever it returns. */
export function createScanPipeline<K>(rules: ScanTextRules, classify: (text: string) => K): ScanPipeline<K>;
export function createScanPipeline<K>(rules: ScanTextRules, classify?: (text: string) => K): ScanPipeline<K | CodeKind> {
  const classifier: (text: string) => K | CodeKind = classify ?? classifyCode;
  /** text → when it was last seen (accepted or suppressed). */
  const lastSeen = new Map<string, number>();

  const forgetOld = (now: number): void => {
    for (const [text, at] of lastSeen) {
      if (now - at > rules.duplicateWindowMs || at > now) lastSeen.delete(text);
    }
  };

  return {
    process(read) {
      let normalized: { text: string; symbology: Symbology | null };
      try {
        normalized = normalizeScanText(read.raw, rules);
      } catch {
        // A string operation cannot really fail, but a lone surrogate from a broken decoder must
        // still not escape as an exception.
        normalized = { text: '', symbology: null };
      }
      const { text } = normalized;
      const invalid = validateScanText(text, rules);
      if (invalid !== null) {
        return { type: 'rejected', reason: invalid, read, text, message: rejectMessage(invalid) };
      }
      forgetOld(read.at);
      const previous = lastSeen.get(text);
      lastSeen.set(text, read.at);
      if (previous !== undefined && read.at - previous <= rules.duplicateWindowMs) {
        return { type: 'rejected', reason: 'duplicate', read, text, message: rejectMessage('duplicate') };
      }
      const symbology = read.symbology ?? normalized.symbology ?? undefined;
      const scan: ScanEvent = {
        source: read.source,
        device: read.device,
        raw: read.raw,
        text,
        ...(symbology !== undefined ? { symbology } : {}),
        at: read.at,
      };
      try {
        return { type: 'scan', scan, kind: classifier(text) };
      } catch (error) {
        // The text was fine but the hook failed: let it be scanned again once fixed.
        lastSeen.delete(text);
        return {
          type: 'error',
          error: {
            source: read.source,
            device: read.device,
            code: 'classifier_failed',
            message: `Could not classify the scanned code: ${error instanceof Error ? error.message : String(error)}`,
            at: read.at,
          },
        };
      }
    },
    reset() {
      lastSeen.clear();
    },
  };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
