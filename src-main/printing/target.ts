/**
 * Where receipts go, as one URL (GCTERM_PRINTER or the printer setting):
 * - `tcp://host:9100` — a network receipt printer's raw port (JetDirect style);
 * - `serial:/dev/ttyUSB0?baud=9600` — a serial printer (or a USB one exposing a serial port);
 * - `file:/dev/usb/lp0` — a USB printer the OS exposes as a device file (Linux usblp), or any
 *   file the bytes should be appended to;
 * - `dialog` — the desktop app's OS print dialog (Electron only);
 * - `none` — no printer: receipts are previewed only.
 */
export type PrinterTarget =
  | Readonly<{ kind: 'none' }>
  | Readonly<{ kind: 'dialog' }>
  | Readonly<{ kind: 'tcp'; host: string; port: number }>
  | Readonly<{ kind: 'serial'; path: string; baudRate: number }>
  | Readonly<{ kind: 'file'; path: string }>;

export type TargetParse = { ok: true; target: PrinterTarget } | { ok: false; message: { 'zh-CN': string; en: string } };

const bad = (en: string, zh: string): TargetParse => ({ ok: false, message: { en, 'zh-CN': zh } });

const BAUD_RATES = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400];

export function parsePrinterUrl(raw: string): TargetParse {
  const text = raw.trim();
  if (text === '' || text === 'none') return { ok: true, target: { kind: 'none' } };
  if (text === 'dialog') return { ok: true, target: { kind: 'dialog' } };
  if (text.startsWith('tcp://')) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return bad(`printer: "${text}" is not a valid tcp://host:port address`, `打印机：“${text}”不是有效的 tcp://主机:端口 地址`);
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (!host) return bad('printer: tcp:// needs a host, e.g. tcp://192.168.1.50:9100', '打印机：tcp:// 需要主机地址，例如 tcp://192.168.1.50:9100');
    const port = url.port === '' ? 9100 : Number(url.port);
    return { ok: true, target: { kind: 'tcp', host, port } };
  }
  if (text.startsWith('serial:')) {
    const [pathPart = '', query = ''] = text.slice('serial:'.length).split('?');
    const path = pathPart.replace(/^\/\/(?=\/)/, '');
    if (!path) return bad('printer: serial: needs a device, e.g. serial:/dev/ttyUSB0?baud=9600', '打印机：serial: 需要设备路径，例如 serial:/dev/ttyUSB0?baud=9600');
    const params = new URLSearchParams(query);
    const baudText = params.get('baud') ?? '9600';
    const baudRate = Number(baudText);
    if (!BAUD_RATES.includes(baudRate)) {
      return bad(`printer: baud must be one of ${BAUD_RATES.join(', ')}, not "${baudText}"`, `打印机：波特率须为 ${BAUD_RATES.join('、')} 之一，而不是“${baudText}”`);
    }
    return { ok: true, target: { kind: 'serial', path, baudRate } };
  }
  if (text.startsWith('file:')) {
    const path = text.slice('file:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path) return bad('printer: file: needs a path, e.g. file:/dev/usb/lp0', '打印机：file: 需要路径，例如 file:/dev/usb/lp0');
    return { ok: true, target: { kind: 'file', path } };
  }
  return bad(
    `printer: "${text}" is not understood; use tcp://host:9100, serial:/dev/ttyUSB0?baud=9600, file:/dev/usb/lp0, dialog or none`,
    `打印机：无法识别“${text}”；请使用 tcp://主机:9100、serial:/dev/ttyUSB0?baud=9600、file:/dev/usb/lp0、dialog 或 none`,
  );
}

/** The URL again, for the settings screen and messages. */
export function printerUrl(target: PrinterTarget): string {
  switch (target.kind) {
    case 'none':
    case 'dialog':
      return target.kind;
    case 'tcp':
      return `tcp://${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
    case 'serial':
      return `serial:${target.path}?baud=${target.baudRate}`;
    case 'file':
      return `file:${target.path}`;
  }
}
