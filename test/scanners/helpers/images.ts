/**
 * Pictures of codes as a counter camera sees them, made in Node: a code rendered from bwip-js's
 * module matrix onto a card, the card placed in a frame with rotation/perspective, then the
 * degradations counters suffer (blur, noise, glare, low contrast, a phone screen's moiré, a small
 * code far away). Shared by the camera end-to-end test, the `gcterm decode` tests and the bench.
 * Everything is grayscale until the end: cameras deliver luma, and it is 4× less work.
 */
import bwipjs from 'bwip-js/node';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { seededRandom } from './events.ts';

export type Gray = { readonly width: number; readonly height: number; readonly data: Uint8Array };
export type Rgba = { readonly width: number; readonly height: number; readonly data: Uint8ClampedArray };

export type CodeFormat = 'qr' | 'code128' | 'ean13';

const BCID: Readonly<Record<CodeFormat, string>> = { qr: 'qrcode', code128: 'code128', ean13: 'ean13' };

export function gray(width: number, height: number, fill = 255): Gray {
  return { width, height, data: new Uint8Array(width * height).fill(fill) };
}

/**
 * A code as black-on-white pixels with its quiet zone, `module` pixels per module. Linear codes
 * get `barHeight` pixels of bars.
 */
export function renderCode(format: CodeFormat, text: string, module = 4, barHeight = 60): Gray {
  const raw = bwipjs.raw({ bcid: BCID[format], text, ...(format === 'qr' ? { eclevel: 'M' } : {}) });
  const first = raw[0];
  if (!first) throw new Error(`bwip-js rendered nothing for ${format}`);
  if ('pixs' in first) {
    const quiet = 4;
    const size = (first.pixx + 2 * quiet) * module;
    const out = gray(size, (first.pixy + 2 * quiet) * module);
    for (let my = 0; my < first.pixy; my++) {
      for (let mx = 0; mx < first.pixx; mx++) {
        if (first.pixs[my * first.pixx + mx] !== 1) continue;
        for (let y = 0; y < module; y++) {
          const row = ((my + quiet) * module + y) * size;
          out.data.fill(0, row + (mx + quiet) * module, row + (mx + quiet + 1) * module);
        }
      }
    }
    return out;
  }
  const quiet = 10;
  const modules = first.sbs.reduce((a, b) => a + b, 0);
  const width = (modules + 2 * quiet) * module;
  const height = barHeight + 2 * module * 4;
  const out = gray(width, height);
  let x = quiet * module;
  first.sbs.forEach((w, i) => {
    const px = w * module;
    if (i % 2 === 0) for (let y = module * 4; y < module * 4 + barHeight; y++) out.data.fill(0, y * width + x, y * width + x + px);
    x += px;
  });
  return out;
}

/** A white gift card with the code in the middle and a few dark blocks where its print would be. */
export function giftCard(code: Gray, margin = 0.35): Gray {
  const pad = Math.round(Math.max(code.width, code.height) * margin);
  const card = gray(code.width + 2 * pad, code.height + 2 * pad + Math.round(pad * 0.8), 246);
  blit(card, code, pad, pad);
  // A logo and a line of "text" under the code: real cards are not blank around the code.
  const y0 = code.height + pad + Math.round(pad * 0.3);
  fillRect(card, pad, y0, Math.round(code.width * 0.6), Math.max(2, Math.round(pad * 0.15)), 60);
  fillRect(card, Math.round(pad * 0.2), Math.round(pad * 0.2), Math.round(pad * 0.5), Math.round(pad * 0.5), 120);
  return card;
}

export function blit(dst: Gray, src: Gray, x0: number, y0: number): void {
  for (let y = 0; y < src.height; y++) {
    const dy = y0 + y;
    if (dy < 0 || dy >= dst.height) continue;
    for (let x = 0; x < src.width; x++) {
      const dx = x0 + x;
      if (dx < 0 || dx >= dst.width) continue;
      dst.data[dy * dst.width + dx] = src.data[y * src.width + x] ?? 0;
    }
  }
}

function fillRect(g: Gray, x0: number, y0: number, w: number, h: number, value: number): void {
  for (let y = Math.max(0, y0); y < Math.min(g.height, y0 + h); y++) g.data.fill(value, y * g.width + Math.max(0, x0), y * g.width + Math.min(g.width, x0 + w));
}

type Point = readonly [number, number];

/** The 3×3 homography taking `from[i]` to `to[i]` (four point pairs), row-major. */
export function homography(from: readonly Point[], to: readonly Point[]): number[] {
  // Solve the 8 unknowns h0..h7 (h8 = 1) by Gaussian elimination.
  const a: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const [x, y] = from[i] ?? [0, 0];
    const [u, v] = to[i] ?? [0, 0];
    a.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    a.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  for (let col = 0; col < 8; col++) {
    let pivot = col;
    for (let r = col + 1; r < 8; r++) if (Math.abs(a[r]?.[col] ?? 0) > Math.abs(a[pivot]?.[col] ?? 0)) pivot = r;
    const tmp = a[col] ?? [];
    a[col] = a[pivot] ?? [];
    a[pivot] = tmp;
    const p = a[col] ?? [];
    for (let r = 0; r < 8; r++) {
      if (r === col) continue;
      const row = a[r] ?? [];
      const f = (row[col] ?? 0) / (p[col] ?? 1);
      for (let c = col; c < 9; c++) row[c] = (row[c] ?? 0) - f * (p[c] ?? 0);
    }
  }
  const h = a.map((row, i) => (row[8] ?? 0) / (row[i] ?? 1));
  return [...h, 1];
}

export type Placement = Readonly<{
  /** Card centre in the frame, as fractions. */
  cx: number;
  cy: number;
  /** Card width as a fraction of frame width. */
  scale: number;
  rotationDeg?: number;
  /** Perspective: the card's far edge shrinks by this fraction (0 = none, 0.4 = strong tilt). */
  tilt?: number;
  /** Phone screen pixel grid: screen pixels per card pixel (≈0.9–1.1 makes moiré). */
  screenPitch?: number;
}>;

/**
 * Renders the card into a frame of `width`×`height` over a textured counter top. Sampling is
 * bilinear (point-sampled for the screen grid, which is what makes moiré alias).
 */
export function scene(card: Gray, width: number, height: number, placement: Placement, seed = 1): Gray {
  const out = gray(width, height);
  const rng = seededRandom(seed);
  // Counter top: a smooth gradient with grain, mid-grey so the white card stands out.
  const grain = new Float32Array(64 * 64).map(() => rng() * 30);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      out.data[y * width + x] = 95 + Math.round((40 * x) / width + (20 * y) / height + (grain[(y % 64) * 64 + (x % 64)] ?? 0));
    }
  }
  const w = placement.scale * width;
  const h = (w * card.height) / card.width;
  const cx = placement.cx * width;
  const cy = placement.cy * height;
  const tilt = placement.tilt ?? 0;
  // Corners before rotation; the top edge is the far one under tilt.
  const corners: Point[] = [
    [-w / 2 + (w * tilt) / 2, -h / 2],
    [w / 2 - (w * tilt) / 2, -h / 2],
    [w / 2, h / 2],
    [-w / 2, h / 2],
  ];
  const angle = ((placement.rotationDeg ?? 0) * Math.PI) / 180;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const dst: Point[] = corners.map(([x, y]) => [cx + x * cos - y * sin, cy + x * sin + y * cos]);
  const src: Point[] = [
    [0, 0],
    [card.width, 0],
    [card.width, card.height],
    [0, card.height],
  ];
  const m = homography(dst, src); // frame → card
  const pitch = placement.screenPitch;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const px = x + 0.5;
      const py = y + 0.5;
      const d = (m[6] ?? 0) * px + (m[7] ?? 0) * py + 1;
      const u = ((m[0] ?? 0) * px + (m[1] ?? 0) * py + (m[2] ?? 0)) / d;
      const v = ((m[3] ?? 0) * px + (m[4] ?? 0) * py + (m[5] ?? 0)) / d;
      if (u < 0 || v < 0 || u >= card.width - 1 || v >= card.height - 1) continue;
      if (pitch !== undefined) {
        // A phone screen: lit pixels separated by dark gaps, seen point-sampled by the sensor.
        const gu = (u / pitch) % 1;
        const gv = (v / pitch) % 1;
        const lit = gu < 0.8 && gv < 0.85 ? 1 : 0.55;
        const value = card.data[Math.floor(v) * card.width + Math.floor(u)] ?? 0;
        out.data[y * width + x] = Math.round(value * lit);
      } else {
        out.data[y * width + x] = bilinear(card, u, v);
      }
    }
  }
  return out;
}

function bilinear(g: Gray, u: number, v: number): number {
  const x0 = Math.floor(u - 0.5);
  const y0 = Math.floor(v - 0.5);
  const fx = u - 0.5 - x0;
  const fy = v - 0.5 - y0;
  const at = (x: number, y: number): number => g.data[Math.min(g.height - 1, Math.max(0, y)) * g.width + Math.min(g.width - 1, Math.max(0, x))] ?? 0;
  return Math.round(at(x0, y0) * (1 - fx) * (1 - fy) + at(x0 + 1, y0) * fx * (1 - fy) + at(x0, y0 + 1) * (1 - fx) * fy + at(x0 + 1, y0 + 1) * fx * fy);
}

/** Gaussian-ish blur: three box blurs of the given radius (out of focus, hand shake). */
export function blur(g: Gray, radius: number): Gray {
  let cur = g;
  for (let pass = 0; pass < 3; pass++) cur = boxBlur(cur, radius);
  return cur;
}

function boxBlur(g: Gray, r: number): Gray {
  const { width, height } = g;
  const tmp = new Float32Array(width * height);
  const out = new Uint8Array(width * height);
  const span = 2 * r + 1;
  for (let y = 0; y < height; y++) {
    let sum = 0;
    for (let x = -r; x <= r; x++) sum += g.data[y * width + Math.min(width - 1, Math.max(0, x))] ?? 0;
    for (let x = 0; x < width; x++) {
      tmp[y * width + x] = sum / span;
      sum += (g.data[y * width + Math.min(width - 1, x + r + 1)] ?? 0) - (g.data[y * width + Math.max(0, x - r)] ?? 0);
    }
  }
  for (let x = 0; x < width; x++) {
    let sum = 0;
    for (let y = -r; y <= r; y++) sum += tmp[Math.min(height - 1, Math.max(0, y)) * width + x] ?? 0;
    for (let y = 0; y < height; y++) {
      out[y * width + x] = Math.round(sum / span);
      sum += (tmp[Math.min(height - 1, y + r + 1) * width + x] ?? 0) - (tmp[Math.max(0, y - r) * width + x] ?? 0);
    }
  }
  return { width, height, data: out };
}

/** Sensor noise: Gaussian with the given standard deviation in grey levels. */
export function noise(g: Gray, sigma: number, seed = 7): Gray {
  const rng = seededRandom(seed);
  const data = new Uint8Array(g.data.length);
  for (let i = 0; i < data.length; i++) {
    const n = Math.sqrt(-2 * Math.log(rng() + 1e-12)) * Math.cos(2 * Math.PI * rng());
    data[i] = clamp255((g.data[i] ?? 0) + n * sigma);
  }
  return { width: g.width, height: g.height, data };
}

/** A lamp reflected on a glossy card: a bright saturating spot. */
export function glare(g: Gray, cx: number, cy: number, radius: number, strength: number): Gray {
  const data = new Uint8Array(g.data.length);
  const x0 = cx * g.width;
  const y0 = cy * g.height;
  const r = radius * g.width;
  for (let y = 0; y < g.height; y++) {
    for (let x = 0; x < g.width; x++) {
      const d2 = ((x - x0) ** 2 + (y - y0) ** 2) / (r * r);
      const add = strength * 255 * Math.exp(-d2);
      data[y * g.width + x] = clamp255((g.data[y * g.width + x] ?? 0) + add);
    }
  }
  return { width: g.width, height: g.height, data };
}

/** Squeezes grey levels into [low, high]: a dim counter, a faded print. */
export function contrast(g: Gray, low: number, high: number): Gray {
  const data = g.data.map((v) => Math.round(low + ((high - low) * v) / 255));
  return { width: g.width, height: g.height, data };
}

/** Nearest-neighbour scale (what a cheap webcam's binning does to fine detail). */
export function resize(g: Gray, width: number, height: number): Gray {
  const out = gray(width, height);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(g.height - 1, Math.floor(((y + 0.5) * g.height) / height));
    for (let x = 0; x < width; x++) out.data[y * width + x] = g.data[sy * g.width + Math.min(g.width - 1, Math.floor(((x + 0.5) * g.width) / width))] ?? 0;
  }
  return out;
}

export function toRgba(g: Gray): Rgba {
  const data = new Uint8ClampedArray(g.width * g.height * 4);
  for (let i = 0; i < g.data.length; i++) {
    const v = g.data[i] ?? 0;
    data[i * 4] = v;
    data[i * 4 + 1] = v;
    data[i * 4 + 2] = v;
    data[i * 4 + 3] = 255;
  }
  return { width: g.width, height: g.height, data };
}

export function encodePng(g: Gray): Buffer {
  const png = new PNG({ width: g.width, height: g.height });
  png.data = Buffer.from(toRgba(g).data.buffer);
  return PNG.sync.write(png);
}

export function encodeJpeg(g: Gray, quality = 85): Buffer {
  const rgba = toRgba(g);
  return Buffer.from(jpeg.encode({ width: g.width, height: g.height, data: Buffer.from(rgba.data.buffer) }, quality).data);
}

/**
 * A YUV4MPEG2 video Chromium's fake camera plays (`--use-file-for-fake-video-capture`): a header
 * line, then per frame `FRAME\n` and the Y, U and V planes (I420; grey, so U = V = 128).
 */
export function y4m(frames: readonly Gray[], fps = 30): Buffer {
  const first = frames[0];
  if (!first) throw new Error('no frames');
  const { width, height } = first;
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  const parts: Buffer[] = [Buffer.from(`YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420jpeg\n`, 'latin1')];
  for (const frame of frames) {
    if (frame.width !== width || frame.height !== height) throw new Error('all frames must have one size');
    parts.push(Buffer.from('FRAME\n', 'latin1'), Buffer.from(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength), chroma);
  }
  return Buffer.concat(parts);
}

function clamp255(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}
