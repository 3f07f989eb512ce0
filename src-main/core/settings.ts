/** The Settings screen's calls (manager only) and the language switch any cashier may use. */
import type { CoreApi, ScannerDevices, SettingsView } from '../../shared/contract.ts';
import { ok } from '../../shared/result.ts';
import { withScannerDefaults, type ScannerSettingsPatch } from '../../shared/scan/settings.ts';
import { readSettingsFile, sealSecrets, SettingsSchema, writeSettingsFile, type Settings } from '../config.ts';
import { createLogger } from '../log.ts';
import { hex4 } from '../scanners/hid-reports.ts';
import { listHidDevices } from '../scanners/hid.ts';
import { listSerialPorts } from '../scanners/serial-ports.ts';
import type { Auth } from './auth.ts';
import { failure, firstField, type CoreContext } from './context.ts';

const log = createLogger('core');

/** Never throws and never hangs the settings screen: a listing that fails or stalls is empty. */
async function listOrEmpty<T>(list: () => Promise<readonly T[]>, what: string): Promise<readonly T[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<readonly T[]>((resolve) => {
    timer = setTimeout(() => resolve([]), 3_000);
  });
  try {
    return await Promise.race([list(), timeout]);
  } catch (error) {
    log.warn('cannot list scanner devices', { what, error: error instanceof Error ? error.message : String(error) });
    return [];
  } finally {
    clearTimeout(timer);
  }
}

/** Serial ports and USB HID devices this computer sees, for the settings screen. */
export async function listScannerDevices(): Promise<ScannerDevices> {
  const [serial, hid] = await Promise.all([
    listOrEmpty(async () => {
      const ports = await listSerialPorts();
      return ports.map((port) => {
        const name = [port.manufacturer, port.product].filter(Boolean).join(' ');
        // The by-id link survives replugging, so it is the one to offer.
        const label = [name, port.byId ? port.path : ''].filter(Boolean).join(' · ');
        return {
          path: port.byId ?? port.path,
          ...(label ? { label } : {}),
          ...(port.vendorId ? { vendorId: port.vendorId } : {}),
          ...(port.productId ? { productId: port.productId } : {}),
        };
      });
    }, 'serial'),
    listOrEmpty(async () => {
      const listed = await listHidDevices();
      if (!listed.ok) return [];
      const seen = new Set<string>();
      const out: Array<{ vendorId: number; productId: number; product?: string; usagePage?: number }> = [];
      for (const d of listed.devices) {
        // One entry per VID:PID: the best interface comes first (HID POS, then keyboard).
        const key = `${hex4(d.vendorId)}:${hex4(d.productId)}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({
          vendorId: d.vendorId,
          productId: d.productId,
          ...(d.product ? { product: [d.manufacturer, d.product].filter(Boolean).join(' ') } : {}),
          ...(d.usagePage !== undefined ? { usagePage: d.usagePage } : {}),
        });
      }
      return out;
    }, 'hid'),
  ]);
  return { serial, hid };
}

export function settingsView(settings: Settings, sandbox: boolean, devices: ScannerDevices): SettingsView {
  const token = settings.token;
  return {
    sandbox,
    apiBase: settings.apiBase,
    tokenProvider: token.provider,
    tokenRelayUrl: token.provider === 'relay' ? token.url : null,
    appid: token.provider === 'appsecret' ? token.appid : token.provider === 'component' ? token.authorizerAppid : null,
    appsecretSet: token.provider === 'appsecret' || token.provider === 'component' || token.provider === 'static',
    terminalId: settings.terminalId,
    locationId: settings.locationId,
    merchantId: settings.merchantId,
    allowedCardIds: settings.allowedCardIds,
    language: settings.language,
    offline: settings.offline,
    scanners: withScannerDefaults(settings.scanners as ScannerSettingsPatch),
    devices,
  };
}

/** Settings a manager may change from the UI; secrets are write-only. */
const SettingsPatchSchema = SettingsSchema.pick({
  apiBase: true,
  token: true,
  terminalId: true,
  locationId: true,
  merchantId: true,
  allowedCardIds: true,
  language: true,
  offline: true,
  scanners: true,
}).partial();

export function settingsHandlers(ctx: CoreContext, auth: Auth): Pick<CoreApi, 'settings:get' | 'settings:update' | 'language:set'> {
  const { terminal } = ctx;
  const saveSettings = (file: Readonly<Record<string, unknown>>) =>
    writeSettingsFile(terminal.config.dataDir, ctx.secretBox ? sealSecrets(file, ctx.secretBox) : file);
  return {
    'settings:get': async ({ managerPin }) => {
      if (!(await auth.managerBy(managerPin))) return failure('manager_required');
      return ok(settingsView(terminal.config.settings, terminal.config.sandbox, await listScannerDevices()));
    },
    'settings:update': async ({ managerPin, patch }) => {
      if (!(await auth.managerBy(managerPin))) return failure('manager_required');
      const parsed = SettingsPatchSchema.safeParse(patch);
      if (!parsed.success) return failure('invalid_request', { field: firstField(parsed.error) });
      const file = { ...readSettingsFile(terminal.config.dataDir), ...parsed.data };
      const validated = SettingsSchema.safeParse(file);
      if (!validated.success) return failure('invalid_request', { field: firstField(validated.error) });
      saveSettings(file);
      // Limits and language apply at once; connection settings on the next start.
      Object.assign(terminal.config.settings, { offline: validated.data.offline, language: validated.data.language, scanners: validated.data.scanners });
      ctx.state.language = validated.data.language;
      ctx.pushStatus();
      return ok(settingsView(validated.data, terminal.config.sandbox, await listScannerDevices()));
    },
    'language:set': async ({ language: next }) => {
      ctx.state.language = next;
      // Remembered for the next start, like every other setting of this terminal.
      saveSettings({ ...readSettingsFile(terminal.config.dataDir), language: next });
      Object.assign(terminal.config.settings, { language: next });
      ctx.pushStatus();
      return ok({ language: next });
    },
  };
}
