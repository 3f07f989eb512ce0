/** QR code modules (the `qrcode` package) for the SVG preview, the HTML receipt and the PDF. */
import { createRequire } from 'node:module';

type QrModules = Readonly<{ size: number; data: ArrayLike<number> }>;
const qrcode = createRequire(import.meta.url)('qrcode') as { create(text: string, options: { errorCorrectionLevel: 'M' }): { modules: QrModules } };

/** The dark modules as [x, y] cells, and the size of the square. */
export function qrCells(data: string): Readonly<{ size: number; dark: ReadonlyArray<readonly [number, number]> }> {
  const { modules } = qrcode.create(data, { errorCorrectionLevel: 'M' });
  const dark: Array<readonly [number, number]> = [];
  for (let y = 0; y < modules.size; y++) for (let x = 0; x < modules.size; x++) if (modules.data[y * modules.size + x]) dark.push([x, y]);
  return { size: modules.size, dark };
}

/** An SVG path of the dark modules, one unit per module. */
export function qrPath(data: string): Readonly<{ size: number; path: string }> {
  const { size, dark } = qrCells(data);
  return { size, path: dark.map(([x, y]) => `M${x} ${y}h1v1h-1z`).join('') };
}
