/**
 * The camera's decoder, in Node: zxing-wasm fed with the .wasm shipped in its npm package (never
 * its CDN default: the terminal must work offline), run pass by pass as CAMERA_DECODER says. Used
 * by `gcterm decode` and the bench, so a still image is judged exactly as a camera frame is.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { prepareZXingModule, readBarcodes, type ReaderOptions, type ReadResult } from 'zxing-wasm/reader';
import { CAMERA_DECODER, decodePasses, readerOptionsForPass, symbologyFromFormatName, type CameraDecoderSettings, type DecodedCode, type PixelRect } from '../../shared/scan/camera-decoder.ts';
import type { RegionOfInterest } from '../../shared/scan/settings.ts';

export type RgbaImage = Readonly<{ width: number; height: number; data: Uint8ClampedArray }>;

let prepared: Promise<void> | null = null;

/** Instantiates zxing-wasm from node_modules once; later calls reuse it. */
export function prepareZxingWasm(): Promise<void> {
  prepared ??= (async () => {
    const path = createRequire(import.meta.url).resolve('zxing-wasm/reader/zxing_reader.wasm');
    const bytes = await readFile(path);
    const wasmBinary = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    await prepareZXingModule({ overrides: { wasmBinary }, fireImmediately: true });
  })();
  return prepared;
}

/** zxing-wasm's readBarcodes on raw RGBA pixels, after making sure the module is ours. */
export async function zxingWasmReadBarcodes(image: RgbaImage, options: ReaderOptions): Promise<ReadResult[]> {
  await prepareZxingWasm();
  // zxing-wasm takes anything shaped like ImageData ({data, width, height}); Node has no ImageData.
  return readBarcodes({ data: image.data, width: image.width, height: image.height, colorSpace: 'srgb' }, options);
}

/** Decodes one frame: each pass on its region (scaled down if the pass says so) until one reads. */
export async function decodeRgba(image: RgbaImage, settings: CameraDecoderSettings = CAMERA_DECODER, roi: RegionOfInterest | null = null): Promise<DecodedCode | null> {
  for (const pass of decodePasses(settings, roi, image.width, image.height)) {
    const cropped = scaleDown(crop(image, pass.rect), pass.maxSide);
    const region = pass.smooth ? smooth(cropped) : cropped;
    const results = await zxingWasmReadBarcodes(region, readerOptionsForPass(pass, settings.formats));
    const found = results.find((r) => r.isValid && r.text.length > 0);
    if (found) return { text: found.text, symbology: symbologyFromFormatName(found.format), format: found.format };
  }
  return null;
}

function crop(image: RgbaImage, rect: PixelRect): RgbaImage {
  if (rect.x === 0 && rect.y === 0 && rect.width === image.width && rect.height === image.height) return image;
  const data = new Uint8ClampedArray(rect.width * rect.height * 4);
  for (let y = 0; y < rect.height; y++) {
    const from = ((rect.y + y) * image.width + rect.x) * 4;
    data.set(image.data.subarray(from, from + rect.width * 4), y * rect.width * 4);
  }
  return { width: rect.width, height: rect.height, data };
}

/** Area-average downscale so the longest side is at most `maxSide` (0 = leave as is). */
function scaleDown(image: RgbaImage, maxSide: number): RgbaImage {
  const longest = Math.max(image.width, image.height);
  if (maxSide <= 0 || longest <= maxSide) return image;
  const factor = Math.ceil(longest / maxSide);
  const width = Math.floor(image.width / factor);
  const height = Math.floor(image.height / factor);
  const data = new Uint8ClampedArray(width * height * 4);
  const area = factor * factor;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let dy = 0; dy < factor; dy++) {
        const row = ((y * factor + dy) * image.width + x * factor) * 4;
        for (let dx = 0; dx < factor; dx++) sum += image.data[row + dx * 4] ?? 0;
      }
      const v = sum / area;
      const o = (y * width + x) * 4;
      data[o] = v;
      data[o + 1] = v;
      data[o + 2] = v;
      data[o + 3] = 255;
    }
  }
  return { width, height, data };
}

/** Three box blurs of radius 1 on luma (≈ Gaussian σ 1.4), as the camera's canvas blur does. */
function smooth(image: RgbaImage): RgbaImage {
  const { width, height } = image;
  const luma = new Float32Array(width * height);
  for (let i = 0; i < luma.length; i++) luma[i] = ((image.data[i * 4] ?? 0) * 306 + (image.data[i * 4 + 1] ?? 0) * 601 + (image.data[i * 4 + 2] ?? 0) * 117) / 1024;
  const next = new Float32Array(width * height);
  for (let pass = 0; pass < 3; pass++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        next[i] = ((luma[i - (x > 0 ? 1 : 0)] ?? 0) + (luma[i] ?? 0) + (luma[i + (x < width - 1 ? 1 : 0)] ?? 0)) / 3;
      }
    }
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        luma[i] = ((next[i - (y > 0 ? width : 0)] ?? 0) + (next[i] ?? 0) + (next[i + (y < height - 1 ? width : 0)] ?? 0)) / 3;
      }
    }
  }
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < luma.length; i++) {
    const v = luma[i] ?? 0;
    data[i * 4] = v;
    data[i * 4 + 1] = v;
    data[i * 4 + 2] = v;
    data[i * 4 + 3] = 255;
  }
  return { width, height, data };
}

export type ImageReadResult = { ok: true; image: RgbaImage } | { ok: false; reason: string };

/** PNG or JPEG bytes → RGBA, by content (not file name). */
export function readImage(bytes: Uint8Array): ImageReadResult {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    if (buffer.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
      const png = PNG.sync.read(buffer);
      return { ok: true, image: { width: png.width, height: png.height, data: new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.byteLength) } };
    }
    if (buffer[0] === 0xff && buffer[1] === 0xd8) {
      // Bounded so a hostile file cannot make us allocate gigabytes.
      const decoded = jpeg.decode(buffer, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: 50, maxMemoryUsageInMB: 512 });
      return { ok: true, image: { width: decoded.width, height: decoded.height, data: new Uint8ClampedArray(decoded.data.buffer, decoded.data.byteOffset, decoded.data.byteLength) } };
    }
  } catch (error) {
    return { ok: false, reason: `unreadable image (${error instanceof Error ? error.message : String(error)})` };
  }
  return { ok: false, reason: 'not a PNG or JPEG image' };
}

export type FileDecodeResult = { ok: true; code: DecodedCode; ms: number } | { ok: false; reason: string; ms: number };

/** Decodes a still image file with the camera's settings. Never throws. */
export async function decodeImageFile(path: string, settings: CameraDecoderSettings = CAMERA_DECODER, roi: RegionOfInterest | null = null): Promise<FileDecodeResult> {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : '';
    return { ok: false, reason: code === 'ENOENT' ? 'no such file' : `cannot read file (${error instanceof Error ? error.message : String(error)})`, ms: elapsed() };
  }
  const image = readImage(bytes);
  if (!image.ok) return { ok: false, reason: image.reason, ms: elapsed() };
  try {
    const code = await decodeRgba(image.image, settings, roi);
    if (!code) return { ok: false, reason: `no ${settings.formats.join('/')} code found`, ms: elapsed() };
    return { ok: true, code, ms: elapsed() };
  } catch (error) {
    return { ok: false, reason: `decoder failed (${error instanceof Error ? error.message : String(error)})`, ms: elapsed() };
  }
}
