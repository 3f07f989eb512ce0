/**
 * Listing the serial ports this computer has, with their USB vendor/product ids and the stable
 * `/dev/serial/by-id/…` link, for the settings screen and `gcterm scan --list`. serialport lists
 * through `udevadm` on Linux, which minimal installs and containers lack; there the same facts are
 * read from sysfs. Separate from the driver (serial.ts): listing never opens a port.
 */
import { access, readdir, readFile, readlink, realpath } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { SerialPort } from 'serialport';

export type SerialPortInfo = Readonly<{
  path: string;
  /** Lower-case hex, 4 digits, as in `lsusb` (e.g. '0403'). */
  vendorId?: string;
  productId?: string;
  manufacturer?: string;
  product?: string;
  serialNumber?: string;
  /** A `/dev/serial/by-id/…` link to this port: put that in settings, it survives replugging. */
  byId?: string;
}>;

type PortListEntry = Readonly<{ path: string; vendorId?: string | undefined; productId?: string | undefined; manufacturer?: string | undefined; serialNumber?: string | undefined }>;

export type ListSerialPortsOptions = Readonly<{
  /** serialport's own listing (uses `udevadm` on Linux). */
  list?: () => Promise<readonly PortListEntry[]>;
  /** Linux only: where sysfs and /dev are; tests point these at a fake tree. */
  sysfsRoot?: string;
  devRoot?: string;
  platform?: NodeJS.Platform;
}>;

/**
 * Serial ports with their USB vendor/product ids. serialport lists through `udevadm` on Linux,
 * which minimal installs and containers lack; there the same facts are read from sysfs.
 */
export async function listSerialPorts(options: ListSerialPortsOptions = {}): Promise<SerialPortInfo[]> {
  const platform = options.platform ?? process.platform;
  const list = options.list ?? (() => SerialPort.list());
  let listed: readonly PortListEntry[] = [];
  try {
    listed = await list();
  } catch {
    listed = [];
  }
  const byPath = new Map<string, SerialPortInfo>();
  for (const entry of listed) byPath.set(entry.path, cleanInfo(entry));
  if (platform === 'linux') {
    const fromSysfs = await listLinuxSysfs(options.sysfsRoot ?? '/sys', options.devRoot ?? '/dev');
    for (const info of fromSysfs) {
      const known = byPath.get(info.path);
      // Fill what udev did not say; never overwrite what it did.
      byPath.set(info.path, known ? { ...info, ...stripUndefined(known) } : info);
    }
  }
  return [...byPath.values()].sort((a, b) => a.path.localeCompare(b.path));
}

function cleanInfo(entry: PortListEntry): SerialPortInfo {
  return stripUndefined({
    path: entry.path,
    vendorId: entry.vendorId?.toLowerCase(),
    productId: entry.productId?.toLowerCase(),
    manufacturer: entry.manufacturer,
    serialNumber: entry.serialNumber,
  });
}

function stripUndefined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Which tty names can be scanners: USB serial adapters, CDC-ACM, and UARTs that really exist. */
const TTY_NAME = /^tty(USB|ACM|S|AMA|XRUSB|MFD|O|mxc)\d+$/;

async function listLinuxSysfs(sysfsRoot: string, devRoot: string): Promise<SerialPortInfo[]> {
  const ttyClass = join(sysfsRoot, 'class', 'tty');
  let names: string[];
  try {
    names = await readdir(ttyClass);
  } catch {
    return [];
  }
  const links = await serialByIdLinks(devRoot);
  const out: SerialPortInfo[] = [];
  for (const name of names) {
    if (!TTY_NAME.test(name)) continue;
    const ttyDir = join(ttyClass, name);
    let deviceDir: string;
    try {
      deviceDir = await realpath(join(ttyDir, 'device'));
    } catch {
      continue; // virtual tty: no hardware behind it
    }
    if (name.startsWith('ttyS')) {
      // The 8250 driver creates ttyS0–31 whether or not a UART exists; type 0 means none.
      const type = await readText(join(ttyDir, 'type'));
      if (type === undefined || type === '0') continue;
    }
    const usb = await findUsbDevice(deviceDir, sysfsRoot);
    const path = join(devRoot, name);
    out.push(
      stripUndefined({
        path,
        vendorId: usb?.vendorId,
        productId: usb?.productId,
        manufacturer: usb?.manufacturer,
        product: usb?.product,
        serialNumber: usb?.serialNumber,
        byId: links.get(name),
      }),
    );
  }
  return out;
}

type UsbFacts = { vendorId?: string | undefined; productId?: string | undefined; manufacturer?: string | undefined; product?: string | undefined; serialNumber?: string | undefined };

/** Walks up from the tty's device directory to the USB device that has idVendor/idProduct. */
async function findUsbDevice(start: string, sysfsRoot: string): Promise<UsbFacts | undefined> {
  const stop = resolve(sysfsRoot);
  let dir = start;
  for (let depth = 0; depth < 8 && dir.startsWith(stop) && dir !== stop; depth++) {
    const vendorId = await readText(join(dir, 'idVendor'));
    const productId = await readText(join(dir, 'idProduct'));
    if (vendorId !== undefined && productId !== undefined) {
      return {
        vendorId: vendorId.toLowerCase(),
        productId: productId.toLowerCase(),
        manufacturer: await readText(join(dir, 'manufacturer')),
        product: await readText(join(dir, 'product')),
        serialNumber: await readText(join(dir, 'serial')),
      };
    }
    dir = resolve(dir, '..');
  }
  return undefined;
}

/** tty name → its /dev/serial/by-id link (created by udev when present). */
async function serialByIdLinks(devRoot: string): Promise<Map<string, string>> {
  const dir = join(devRoot, 'serial', 'by-id');
  const out = new Map<string, string>();
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return out;
  }
  for (const entry of entries) {
    try {
      const target = await readlink(join(dir, entry));
      const name = target.split('/').pop();
      if (name) out.set(name, join(dir, entry));
    } catch {
      // Not a link: ignore.
    }
  }
  return out;
}

async function readText(path: string): Promise<string | undefined> {
  try {
    await access(path);
    return (await readFile(path, 'utf8')).trim();
  } catch {
    return undefined;
  }
}
