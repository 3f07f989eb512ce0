/**
 * Every scan source on the page into one stream: the keyboard wedge (src-renderer/scanners/
 * wedge.ts), the camera (fed by CameraButton) — both through the shared scan pipeline
 * (shared/scan/pipeline.ts: framing, length, charset, repeats) exactly as the core treats serial and HID
 * scans — and the core's own scanners, whose `scan` events arrive already processed.
 */
import type { RawScan, ScanRejectReason, ScanSource } from '../../../shared/scan/events.ts';
import { createScanPipeline } from '../../../shared/scan/pipeline.ts';
import { DEFAULT_SCANNER_SETTINGS, type ScannerSettings } from '../../../shared/scan/settings.ts';
import { attachKeyboardWedge } from '../../scanners/wedge.ts';

export type AcceptedScan = Readonly<{ text: string; at: number; source: ScanSource; device: string }>;
export type RejectedScan = Readonly<{ reason: ScanRejectReason; text: string; source: ScanSource }>;

export type ScanInputOptions = Readonly<{
  /** The terminal's saved scanner settings; the defaults until the core's status arrives. */
  settings?: ScannerSettings;
  onScan(scan: AcceptedScan): void;
  onRejected?(rejected: RejectedScan): void;
}>;

export type ScanInput = Readonly<{
  /** A read from another page-side scanner (the camera). */
  feed(read: RawScan): void;
  /** Forgets recent codes, so the same card can be scanned again at once (after a cancel). */
  forget(): void;
  /** Follows settings a manager saved (wedge timing, code rules) without a reload. */
  update(settings: ScannerSettings): void;
  stop(): void;
}>;

/** PIN entry is a person typing: the wedge leaves dialogs alone so nothing there lags. */
const inDialog = (target: EventTarget | null): boolean => target instanceof Element && target.closest('dialog') !== null;

export function startScanInput(options: ScanInputOptions): ScanInput {
  let settings = options.settings ?? DEFAULT_SCANNER_SETTINGS;
  let pipeline = createScanPipeline(settings.text);
  const feed = (read: RawScan): void => {
    const event = pipeline.process(read);
    if (event.type === 'scan') {
      options.onScan({ text: event.scan.text, at: event.scan.at, source: event.scan.source, device: event.scan.device });
    } else if (event.type === 'rejected') {
      options.onRejected?.({ reason: event.reason, text: event.text, source: read.source });
    }
  };
  const wedge = attachKeyboardWedge({ settings: settings.wedge, onScan: (read) => feed(read), ignore: inDialog });
  return {
    feed,
    forget: () => pipeline.reset(),
    update(next) {
      if (JSON.stringify(next) === JSON.stringify(settings)) return;
      settings = next;
      pipeline = createScanPipeline(next.text);
      wedge.update(next.wedge);
    },
    stop: () => wedge.detach(),
  };
}
