/**
 * Camera decoder bench: builds a quality set of code pictures degraded the way counters degrade
 * them, decodes each with @zxing/library and zxing-wasm in several configurations, and prints the
 * decode rate and time per image; then the decode time per 1280×720 frame (p50/p95) of the
 * configuration the camera and `gcterm decode` use. Run alone with
 *   npx tsx -e "import('./bench/scanners.bench.ts').then(m=>m.default())"
 */
import { createRequire } from 'node:module';
import { CAMERA_DECODER, decodePasses } from '../shared/scan/camera-decoder.ts';
import type { RegionOfInterest } from '../shared/scan/settings.ts';
import { decodeRgba, prepareZxingWasm, zxingWasmReadBarcodes } from '../src-main/scanners/decode-image.ts';
import {
  blur,
  contrast,
  giftCard,
  glare,
  noise,
  renderCode,
  scene,
  toRgba,
  type CodeFormat,
  type Gray,
  type Placement,
  type Rgba,
} from '../test/scanners/helpers/images.ts';

/** @zxing/library is CommonJS; Node's ESM loader cannot see its named exports. */
const ZXing = createRequire(import.meta.url)('@zxing/library') as typeof import('@zxing/library');

type Sample = Readonly<{ name: string; format: CodeFormat; text: string; image: Rgba; luma: Gray }>;

const PAYLOAD: Readonly<Record<CodeFormat, string>> = {
  qr: '163612345678901234',
  code128: '163612345678901234',
  ean13: '6901234567892',
};

/**
 * How big the card is in a 640×480 frame. A cashier holds a QR card at arm's length; a phone
 * showing a barcode is held so the barcode spans most of the frame (about 3–5 px per bar module).
 */
const BASE_SCALE: Readonly<Record<CodeFormat, number>> = { qr: 0.42, code128: 1.05, ean13: 0.85 };
const LINEAR: readonly CodeFormat[] = ['code128', 'ean13'];
const MATRIX: readonly CodeFormat[] = ['qr'];

type Degradation = Readonly<{
  name: string;
  /** Which formats it applies to (a linear code cannot be read at 45°, by any scanline decoder). */
  formats?: readonly CodeFormat[];
  size?: readonly [number, number];
  placement?: Partial<Placement>;
  /** Multiplies the base card scale. */
  scaleBy?: number;
  post?: (g: Gray) => Gray;
}>;

const DEGRADATIONS: readonly Degradation[] = [
  { name: 'clean' },
  { name: 'blur-1', post: (g) => blur(g, 1) },
  { name: 'blur-2', post: (g) => blur(g, 2) },
  { name: 'blur-3', post: (g) => blur(g, 3) },
  { name: 'noise-15', post: (g) => noise(g, 15) },
  { name: 'noise-30', post: (g) => noise(g, 30) },
  { name: 'noise-45', post: (g) => noise(g, 45) },
  { name: 'rotate-20', formats: MATRIX, placement: { rotationDeg: 20 } },
  { name: 'rotate-45', formats: MATRIX, placement: { rotationDeg: 45 }, scaleBy: 0.8 },
  { name: 'rotate-6', formats: LINEAR, placement: { rotationDeg: 6 } },
  { name: 'rotate-90', placement: { rotationDeg: 90 }, scaleBy: 0.7 },
  { name: 'rotate-175', placement: { rotationDeg: 175 } },
  { name: 'perspective-25', placement: { tilt: 0.25, rotationDeg: 3 } },
  { name: 'perspective-45', placement: { tilt: 0.45, rotationDeg: -2 } },
  { name: 'glare-50', post: (g) => glare(g, 0.47, 0.45, 0.12, 0.5) },
  { name: 'glare-80', post: (g) => glare(g, 0.47, 0.45, 0.1, 0.8) },
  { name: 'contrast-50', post: (g) => contrast(g, 100, 150) },
  { name: 'contrast-25', post: (g) => contrast(g, 112, 137) },
  { name: 'moire-0.93', placement: { screenPitch: 0.93, rotationDeg: 2 } },
  { name: 'moire-1.07', placement: { screenPitch: 1.07, rotationDeg: -1 }, post: (g) => blur(g, 1) },
  { name: 'small-720p', size: [1280, 720], placement: { cx: 0.3, cy: 0.4 }, scaleBy: 0.5 },
  { name: 'small-1080p', size: [1920, 1080], placement: { cx: 0.7, cy: 0.6 }, scaleBy: 0.35 },
  {
    name: 'counter-mix',
    placement: { rotationDeg: 3, tilt: 0.2 },
    post: (g) => glare(contrast(noise(blur(g, 1), 12), 70, 200), 0.6, 0.4, 0.12, 0.35),
  },
];

function qualitySet(): Sample[] {
  const samples: Sample[] = [];
  for (const format of ['qr', 'code128', 'ean13'] as const) {
    const card = giftCard(renderCode(format, PAYLOAD[format], 4, 110), LINEAR.includes(format) ? 0.08 : 0.35);
    DEGRADATIONS.forEach((d, i) => {
      if (d.formats && !d.formats.includes(format)) return;
      const [width, height] = d.size ?? [640, 480];
      const placement: Placement = { cx: 0.5, cy: 0.5, ...d.placement, scale: BASE_SCALE[format] * (d.scaleBy ?? 1) * (640 / width) };
      let luma = scene(card, width, height, placement, i + 1);
      if (d.post) luma = d.post(luma);
      samples.push({ name: `${format}/${d.name}`, format, text: PAYLOAD[format], image: toRgba(luma), luma });
    });
  }
  return samples;
}

type Decoder = Readonly<{ name: string; decode: (sample: Sample) => Promise<string | null> }>;

const WASM_FORMATS = ['QRCode', 'Code128', 'EAN13'] as const;

function wasmDecoder(name: string, options: Parameters<typeof zxingWasmReadBarcodes>[1]): Decoder {
  return {
    name,
    decode: async (sample) => {
      const results = await zxingWasmReadBarcodes(sample.image, options);
      return results[0]?.text ?? null;
    },
  };
}

function zxingJsDecoder(name: string, options: Readonly<{ tryHarder: boolean; allFormats?: boolean; binarizer: 'hybrid' | 'global' | 'both' }>): Decoder {
  const reader = new ZXing.MultiFormatReader();
  const hints = new Map<import('@zxing/library').DecodeHintType, unknown>();
  if (!options.allFormats) hints.set(ZXing.DecodeHintType.POSSIBLE_FORMATS, [ZXing.BarcodeFormat.QR_CODE, ZXing.BarcodeFormat.CODE_128, ZXing.BarcodeFormat.EAN_13]);
  if (options.tryHarder) hints.set(ZXing.DecodeHintType.TRY_HARDER, true);
  reader.setHints(hints);
  const attempt = (source: import('@zxing/library').LuminanceSource, binarizer: 'hybrid' | 'global'): string | null => {
    const bitmap = new ZXing.BinaryBitmap(binarizer === 'hybrid' ? new ZXing.HybridBinarizer(source) : new ZXing.GlobalHistogramBinarizer(source));
    // MultiFormatReader console.warn()s every internal miss; that is not news in a bench.
    const warn = console.warn;
    console.warn = () => undefined;
    try {
      return reader.decodeWithState(bitmap).getText();
    } catch {
      return null;
    } finally {
      console.warn = warn;
      reader.reset();
    }
  };
  return {
    name,
    decode: async (sample) => {
      const source = new ZXing.RGBLuminanceSource(new Uint8ClampedArray(sample.luma.data.buffer), sample.luma.width, sample.luma.height);
      if (options.binarizer !== 'global') {
        const found = attempt(source, 'hybrid');
        if (found !== null || options.binarizer === 'hybrid') return found;
      }
      return attempt(source, 'global');
    },
  };
}

/** What `gcterm decode` runs on a still: every CAMERA_DECODER pass in turn until one reads. */
const chosen = (): Decoder => ({
  name: 'CAMERA_DECODER, all passes (gcterm decode)',
  decode: async (sample) => (await decodeRgba(sample.image, CAMERA_DECODER, null))?.text ?? null,
});

const DECODERS: readonly Decoder[] = [
  zxingJsDecoder('@zxing/library all formats, TRY_HARDER', { tryHarder: true, allFormats: true, binarizer: 'hybrid' }),
  zxingJsDecoder('@zxing/library 3 formats', { tryHarder: false, binarizer: 'hybrid' }),
  zxingJsDecoder('@zxing/library 3 formats, TRY_HARDER', { tryHarder: true, binarizer: 'hybrid' }),
  zxingJsDecoder('@zxing/library 3 formats, TRY_HARDER, +GlobalHistogram', { tryHarder: true, binarizer: 'both' }),
  wasmDecoder('zxing-wasm all formats (defaults)', {}),
  wasmDecoder('zxing-wasm 3 formats, fast', { formats: [...WASM_FORMATS], tryHarder: false, tryRotate: false, tryInvert: false }),
  wasmDecoder('zxing-wasm 3 formats, tryHarder', { formats: [...WASM_FORMATS], tryHarder: true }),
  wasmDecoder('zxing-wasm 3 formats, tryHarder, GlobalHistogram', { formats: [...WASM_FORMATS], tryHarder: true, binarizer: 'GlobalHistogram' }),
  wasmDecoder('zxing-wasm 3 formats, tryHarder, downscale ≥240px ÷2', {
    formats: [...WASM_FORMATS],
    tryHarder: true,
    downscaleThreshold: 240,
    downscaleFactor: 2,
    maxNumberOfSymbols: 1,
  }),
  chosen(),
];

type Row = { decoder: string; read: number; total: number; wrong: number; meanMs: number; p95Ms: number; misses: string[] };

async function measure(decoder: Decoder, samples: readonly Sample[]): Promise<Row> {
  const times: number[] = [];
  let read = 0;
  let wrong = 0;
  const misses: string[] = [];
  await decoder.decode(samples[0] ?? qualitySet()[0]!); // warm-up: JIT, wasm instantiation
  for (const sample of samples) {
    const start = performance.now();
    const text = await decoder.decode(sample);
    times.push(performance.now() - start);
    if (text === sample.text) read++;
    else {
      if (text !== null) wrong++;
      misses.push(sample.name);
    }
  }
  return { decoder: decoder.name, read, total: samples.length, wrong, meanMs: mean(times), p95Ms: percentile(times, 0.95), misses };
}

/** 1280×720 frames as the camera delivers them: some with a card, most (between scans) without. */
function cameraFrames(): { withCode: Rgba[]; without: Rgba[] } {
  const withCode: Rgba[] = [];
  const without: Rgba[] = [];
  const qr = giftCard(renderCode('qr', PAYLOAD.qr, 4));
  const code128 = giftCard(renderCode('code128', PAYLOAD.code128, 4, 110), 0.08);
  for (let i = 0; i < 12; i++) {
    const card = i % 3 === 2 ? code128 : qr;
    const linear = card === code128;
    const scale = linear ? 0.75 : 0.2 + (i % 4) * 0.03;
    const rotationDeg = linear ? (i % 2 === 0 ? 2 : 178) : ((i * 7) % 30) - 15;
    const frame = scene(card, 1280, 720, { cx: linear ? 0.5 : 0.4 + (i % 5) * 0.05, cy: 0.45 + (i % 3) * 0.05, scale, rotationDeg }, 100 + i);
    withCode.push(toRgba(noise(blur(frame, 1), 8, i)));
  }
  for (let i = 0; i < 12; i++) {
    const empty = scene(giftCard(renderCode('qr', PAYLOAD.qr, 4)), 1280, 720, { cx: 5, cy: 5, scale: 0.1 }, 200 + i); // card off-frame
    without.push(toRgba(noise(empty, 8, 50 + i)));
  }
  return { withCode, without };
}

async function frameTimes(decode: (image: Rgba) => Promise<unknown>, frames: readonly Rgba[]): Promise<number[]> {
  const times: number[] = [];
  for (const frame of frames) {
    const start = performance.now();
    await decode(frame);
    times.push(performance.now() - start);
  }
  return times;
}

export default async function run(): Promise<void> {
  await prepareZxingWasm();
  const samples = qualitySet();
  console.log(`\n# Scanner decoders: quality set of ${samples.length} images (QR, Code 128, EAN-13 × ${DEGRADATIONS.length} degradations; 640×480 unless noted)`);
  const rows: Row[] = [];
  for (const decoder of DECODERS) rows.push(await measure(decoder, samples));
  const width = Math.max(...rows.map((r) => r.decoder.length));
  console.log(`${'decoder'.padEnd(width)}  read          wrong  ms/image mean  p95`);
  for (const row of rows) {
    const rate = `${row.read}/${row.total} ${((100 * row.read) / row.total).toFixed(0).padStart(3)}%`;
    console.log(`${row.decoder.padEnd(width)}  ${rate.padEnd(12)}  ${String(row.wrong).padStart(5)}  ${row.meanMs.toFixed(1).padStart(13)}  ${row.p95Ms.toFixed(1).padStart(5)}`);
  }
  console.log('\nper degradation (✓ = read by that decoder):');
  const perCase = DECODERS.map((d, i) => ({ label: `D${i + 1}`, misses: new Set(rows[i]?.misses ?? []) }));
  console.log(`${'image'.padEnd(22)} ${perCase.map((c) => c.label.padStart(3)).join(' ')}`);
  for (const sample of samples) console.log(`${sample.name.padEnd(22)} ${perCase.map((c) => (c.misses.has(sample.name) ? '  ·' : '  ✓')).join(' ')}`);
  console.log(perCase.map((c, i) => `${c.label} = ${DECODERS[i]?.name}`).join('\n'));

  const wasmMisses = new Set(rows.at(-1)?.misses ?? []);
  const jsBest = rows.find((r) => r.decoder === '@zxing/library 3 formats, TRY_HARDER, +GlobalHistogram');
  const jsOnly = samples.filter((s) => wasmMisses.has(s.name) && !(jsBest?.misses.includes(s.name) ?? true)).map((s) => s.name);
  console.log(`\nread by @zxing/library but not zxing-wasm (what combining would add): ${jsOnly.length === 0 ? 'none' : jsOnly.join(', ')}`);

  const frames = cameraFrames();
  const roi: RegionOfInterest = { x: 0.2, y: 0.15, width: 0.6, height: 0.7 };
  console.log('\n# Decode time per 1280×720 frame (12 frames with a card, 12 without; Node, zxing-wasm; pass 3 includes a JS blur the camera does on the GPU)');
  const report = (label: string, times: number[]): void => {
    console.log(`${label.padEnd(52)} p50 ${percentile(times, 0.5).toFixed(1).padStart(6)} ms   p95 ${percentile(times, 0.95).toFixed(1).padStart(6)} ms`);
  };
  const all = [...frames.withCode, ...frames.without];
  await decodeRgba(all[0]!, CAMERA_DECODER, null); // warm-up
  // The camera runs one pass per frame, in turn; each pass's cost is what a frame can cost.
  for (const [index, pass] of decodePasses(CAMERA_DECODER, roi, 1280, 720).entries()) {
    const single: typeof CAMERA_DECODER = { ...CAMERA_DECODER, passes: [pass] };
    const label = `camera pass ${index + 1}: ${pass.region === 'roi' ? 'ROI 60%×70%' : 'full frame'}${pass.smooth ? ', smoothed' : ''}`;
    report(`${label}, with a card`, await frameTimes((f) => decodeRgba(f, single, roi), frames.withCode));
    report(`${label}, without`, await frameTimes((f) => decodeRgba(f, single, roi), frames.without));
  }
  // What the camera actually does: one pass per frame, in turn (no ROI set: full, then smoothed).
  const cycle = decodePasses(CAMERA_DECODER, null, 1280, 720);
  let turn = 0;
  const oneTurn = (f: Rgba): Promise<unknown> => decodeRgba(f, { ...CAMERA_DECODER, passes: [cycle[turn++ % cycle.length]!] }, null);
  report('CAMERA: one pass per frame in turn, all 24 frames', await frameTimes(oneTurn, all));
  report('all passes in one go (gcterm decode), with a card', await frameTimes((f) => decodeRgba(f, CAMERA_DECODER, null), frames.withCode));
  report('all passes in one go (gcterm decode), without', await frameTimes((f) => decodeRgba(f, CAMERA_DECODER, null), frames.without));
  const js = zxingJsDecoder('js', { tryHarder: true, binarizer: 'hybrid' });
  const asSample = (image: Rgba): Sample => {
    const luma = new Uint8Array(image.width * image.height);
    for (let i = 0; i < luma.length; i++) luma[i] = image.data[i * 4] ?? 0;
    return { name: 'frame', format: 'qr', text: '', image, luma: { width: image.width, height: image.height, data: luma } };
  };
  report('@zxing/library TRY_HARDER, with a card', await frameTimes((f) => js.decode(asSample(f)), frames.withCode));
  report('@zxing/library TRY_HARDER, without', await frameTimes((f) => js.decode(asSample(f)), frames.without));
  let read = 0;
  for (const frame of frames.withCode) if (await decodeRgba(frame, CAMERA_DECODER, null)) read++;
  console.log(`frames with a card read: ${read}/${frames.withCode.length}`);
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? 0;
}
