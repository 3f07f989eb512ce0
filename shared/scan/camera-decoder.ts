/**
 * Camera decoder settings, shared by the camera (renderer), `gcterm decode` and the bench so a
 * still image is judged exactly as a camera frame would be.
 */
import type { Symbology } from './events.ts';
import type { RegionOfInterest } from './settings.ts';

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

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
