/**
 * Decoding one camera frame with zxing-wasm, the same way in the decode worker and (when no worker
 * can be started) on the page's own thread. The .wasm comes from our own origin — the copy shipped
 * in the zxing-wasm npm package — never from its default CDN: the counter works offline. The page's
 * Content-Security-Policy must allow it: `script-src 'self' 'wasm-unsafe-eval'`.
 */
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';
import { symbologyFromFormatName, type DecodedCode, type ZxingReaderOptions } from '../../shared/scan/camera-decoder.ts';

/** Where the decoder's WebAssembly comes from: a same-origin URL, or the bytes themselves. */
export type WasmSource = Readonly<{ url: string } | { bytes: ArrayBuffer }>;

let preparedFor: WasmSource | null = null;

/** Points zxing-wasm at our copy of its .wasm and instantiates it (once per source). */
export async function prepareDecoder(source: WasmSource): Promise<void> {
  if (preparedFor === source) return;
  const overrides =
    'bytes' in source
      ? { wasmBinary: source.bytes }
      : { locateFile: (path: string, prefix: string): string => (path.endsWith('.wasm') ? source.url : prefix + path) };
  await prepareZXingModule({ overrides, fireImmediately: true });
  preparedFor = source;
}

export type FrameJob = Readonly<{
  /** The region to decode, already cropped (and scaled) from the video frame. Closed here. */
  bitmap: ImageBitmap;
  /** Soften before decoding (CAMERA_DECODER's smoothing pass). */
  smooth: boolean;
  options: ZxingReaderOptions;
}>;

type Surface = { canvas: OffscreenCanvas; context: OffscreenCanvasRenderingContext2D };
let surface: Surface | null = null;

/** One reusable canvas: allocating a 1280×720 canvas per frame costs more than decoding it. */
function surfaceFor(width: number, height: number): OffscreenCanvasRenderingContext2D {
  if (!surface || surface.canvas.width !== width || surface.canvas.height !== height) {
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) throw new Error('no 2D canvas available for decoding');
    surface = { canvas, context };
  }
  return surface.context;
}

export async function decodeFrame(job: FrameJob): Promise<DecodedCode | null> {
  const { bitmap } = job;
  const width = bitmap.width;
  const height = bitmap.height;
  try {
    if (width === 0 || height === 0) return null;
    const context = surfaceFor(width, height);
    context.filter = job.smooth ? 'blur(1.4px)' : 'none';
    context.drawImage(bitmap, 0, 0);
    const pixels = context.getImageData(0, 0, width, height);
    const results = await readBarcodes(pixels, job.options);
    const found = results.find((r) => r.isValid && r.text.length > 0);
    return found ? { text: found.text, symbology: symbologyFromFormatName(found.format), format: found.format } : null;
  } finally {
    bitmap.close();
  }
}
