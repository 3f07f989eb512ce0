/**
 * Draws the app icon with plain code (no image editor, no download) and writes every size the
 * packagers want: icon.png (512), icons/NxN.png (Linux), icon.ico (Windows, PNG-compressed
 * entries). Run: `npx tsx assets/make-icons.ts`. The outputs are committed.
 *
 * The picture: a green rounded tile (WeChat's colour family), a white gift card with a dark
 * stripe, and a gold ribbon dot.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';

type Rgba = readonly [number, number, number, number];
type Shape = Readonly<{ inside(x: number, y: number): boolean; color: Rgba }>;

/** Rounded rectangle in unit coordinates (0–1 of the icon). */
const roundRect = (x0: number, y0: number, x1: number, y1: number, r: number, color: Rgba): Shape => ({
  color,
  inside(x, y) {
    if (x < x0 || x > x1 || y < y0 || y > y1) return false;
    const cx = Math.min(Math.max(x, x0 + r), x1 - r);
    const cy = Math.min(Math.max(y, y0 + r), y1 - r);
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
  },
});
const circle = (cx: number, cy: number, r: number, color: Rgba): Shape => ({ color, inside: (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r });

const SHAPES: readonly Shape[] = [
  roundRect(0.04, 0.04, 0.96, 0.96, 0.2, [11, 122, 64, 255]),
  roundRect(0.16, 0.28, 0.84, 0.74, 0.06, [255, 255, 255, 255]),
  roundRect(0.16, 0.36, 0.84, 0.45, 0, [27, 33, 41, 255]),
  roundRect(0.23, 0.56, 0.52, 0.63, 0.035, [11, 122, 64, 255]),
  circle(0.7, 0.6, 0.085, [255, 207, 51, 255]),
];

/** Each pixel averages 4×4 samples, so edges are smooth at every size. */
export function drawIcon(size: number): PNG {
  const png = new PNG({ width: size, height: size });
  const samples = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = (px + (sx + 0.5) / samples) / size;
          const y = (py + (sy + 0.5) / samples) / size;
          let color: Rgba = [0, 0, 0, 0];
          for (const shape of SHAPES) if (shape.inside(x, y)) color = shape.color;
          const alpha = color[3] / 255;
          r += color[0] * alpha;
          g += color[1] * alpha;
          b += color[2] * alpha;
          a += alpha;
        }
      }
      const i = (py * size + px) * 4;
      const n = samples * samples;
      png.data[i] = a > 0 ? Math.round(r / a) : 0;
      png.data[i + 1] = a > 0 ? Math.round(g / a) : 0;
      png.data[i + 2] = a > 0 ? Math.round(b / a) : 0;
      png.data[i + 3] = Math.round((a / n) * 255);
    }
  }
  return png;
}

/** An .ico holding PNG images (supported since Windows Vista; what electron-builder accepts). */
export function icoFromPngs(images: ReadonlyArray<Readonly<{ size: number; data: Buffer }>>): Buffer {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  const entries: Buffer[] = [];
  let offset = 6 + 16 * images.length;
  for (const image of images) {
    const entry = Buffer.alloc(16);
    entry.writeUInt8(image.size >= 256 ? 0 : image.size, 0);
    entry.writeUInt8(image.size >= 256 ? 0 : image.size, 1);
    entry.writeUInt8(0, 2);
    entry.writeUInt8(0, 3);
    entry.writeUInt16LE(1, 4);
    entry.writeUInt16LE(32, 6);
    entry.writeUInt32LE(image.data.length, 8);
    entry.writeUInt32LE(offset, 12);
    offset += image.data.length;
    entries.push(entry);
  }
  return Buffer.concat([header, ...entries, ...images.map((i) => i.data)]);
}

const here = import.meta.dirname;
const encode = (size: number): Buffer => PNG.sync.write(drawIcon(size));

const isMain = process.argv[1] !== undefined && import.meta.filename === process.argv[1];
if (isMain) {
  mkdirSync(join(here, 'icons'), { recursive: true });
  const sizes = [16, 24, 32, 48, 64, 128, 256, 512];
  const encoded = new Map(sizes.map((size) => [size, encode(size)]));
  for (const [size, data] of encoded) writeFileSync(join(here, 'icons', `${size}x${size}.png`), data);
  writeFileSync(join(here, 'icon.png'), encoded.get(512) ?? encode(512));
  writeFileSync(join(here, 'icon.ico'), icoFromPngs([16, 24, 32, 48, 64, 128, 256].map((size) => ({ size, data: encoded.get(size) ?? encode(size) }))));
  process.stdout.write(`icons written to ${here}\n`);
}
