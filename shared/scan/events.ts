/**
 * What scanners deliver and report: a raw read, an accepted scan, a rejection, a scanner error or
 * status, and the sink a driver reports to. Everything a scanner can do wrong is an event value,
 * never a thrown error, so a noisy cable or a bad frame can never take the counter down
 * (docs/architecture.md, "Bad input costs nothing").
 */
import type { CodeKind } from '../codes.ts';

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
