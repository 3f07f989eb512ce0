/** The Settings screen's calls (manager only) and the language switch any cashier may use. */
import type { CoreApi, ErrorView, ScannerDevices, SettingsView } from '../../shared/contract.ts';
import { err, ok, type Result } from '../../shared/result.ts';
import type { SettingsPatch } from '../../shared/settings-patch.ts';
import { withScannerDefaults, type ScannerSettingsPatch } from '../../shared/scan/settings.ts';
import type { Settings } from '../config.ts';
import { createLogger } from '../log.ts';
import { hex4 } from '../scanners/hid-reports.ts';
import { listHidDevices } from '../scanners/hid.ts';
import { listSerialPorts } from '../scanners/serial-ports.ts';
import { failure, type CoreContext } from './context.ts';

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
    idleLockMinutes: settings.idleLockMinutes,
    devices,
  };
}

/** Whether a patch would leave this terminal talking to the live WeChat API. */
const goesLive = (current: Settings, patch: SettingsPatch): boolean => {
  const apiBase = patch.apiBase !== undefined ? patch.apiBase : current.apiBase;
  return apiBase !== null;
};

/**
 * Applies a patch for `manager` (already checked): LIVE is refused while a fresh-install PIN is
 * still in use; the store changes exactly the keys present and tells its followers.
 */
export async function applySettings(ctx: Pick<CoreContext, 'auth' | 'settings'>, patch: SettingsPatch): Promise<Result<Settings, ErrorView>> {
  if (goesLive(ctx.settings.current, patch) && (patch.apiBase !== undefined || patch.token !== undefined) && (await ctx.auth.usesDefaultPins())) {
    return failure('pin_default_live');
  }
  const applied = ctx.settings.apply(patch);
  if (!applied.ok) return failure('invalid_request', { field: applied.error.field });
  return ok(applied.value.settings);
}

export function settingsHandlers(ctx: CoreContext): Pick<CoreApi, 'settings:get' | 'settings:update' | 'language:set'> {
  const { terminal } = ctx;
  return {
    'settings:get': async ({ managerPin }) => {
      const manager = await ctx.auth.manager(managerPin, 'settings');
      if (!manager.ok) return err(manager.error);
      return ok(settingsView(ctx.settings.current, terminal.config.sandbox, await listScannerDevices()));
    },
    'settings:update': async ({ managerPin, patch }) => {
      const manager = await ctx.auth.manager(managerPin, 'settings');
      if (!manager.ok) return err(manager.error);
      const applied = await applySettings(ctx, patch);
      if (!applied.ok) return applied;
      log.info('settings changed', { by: manager.value.name, keys: Object.keys(patch) });
      return ok(settingsView(applied.value, terminal.config.sandbox, await listScannerDevices()));
    },
    'language:set': async ({ language }) => {
      // Remembered for the next start, like every other setting of this terminal; nothing else changes.
      const applied = ctx.settings.apply({ language });
      if (!applied.ok) return failure('invalid_request', { field: applied.error.field });
      return ok({ language: ctx.state.language });
    },
  };
}
