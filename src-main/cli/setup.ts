/**
 * `gcterm setup`: the first-run setup of the app, with flags for scripted installs. Language,
 * terminal / store location / merchant ids, the API mode and its credentials (tested: a real token
 * fetch and, with --card-id, a card/get), new PINs for the fresh-install people. LIVE is refused
 * while 1234 or 9999 would still be a PIN. On a terminal already set up it needs a manager's PIN.
 * Secrets may come from the environment (GCTERM_SETUP_APPSECRET, …) so they stay out of `ps`.
 */
import { Option, type Command } from 'commander';
import type { SettingsPatch, TokenPatch } from '../../shared/settings-patch.ts';
import { SettingsPatchSchema } from '../../shared/settings-patch.ts';
import { createAuth, ensurePeople } from '../core/auth.ts';
import { completeSetup, settingsAfter, testConnection, type SetupPin } from '../core/setup.ts';
import type { Translator } from './i18n.ts';
import type { RegisterCommand } from './io.ts';
import { cliManager } from './manager.ts';
import { EXIT, globals, refuse, withTerminal } from './terminal-commands.ts';

type Mode = 'sandbox' | 'relay' | 'appsecret' | 'component' | 'hub';

type SetupOptions = Readonly<{
  language?: 'zh-CN' | 'en';
  terminalId?: string;
  locationId?: string;
  merchantId?: string;
  mode?: Mode;
  apiBase?: string;
  tokenUrl?: string;
  appid?: string;
  appsecret?: string;
  componentAppid?: string;
  componentAppsecret?: string;
  componentVerifyTicket?: string;
  authorizerAppid?: string;
  authorizerRefreshToken?: string;
  cardId?: string;
  pin?: string[];
  idleLockMinutes?: string;
  managerPin?: string;
  kiosk?: boolean;
  startAtLogin?: boolean;
}>;

const say = (tr: Translator, zh: string, en: string): string => (tr.language === 'en' ? en : zh);
const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** The settings patch the flags ask for (null fields are "not given"). */
export function patchFromFlags(o: SetupOptions, env: Readonly<Record<string, string | undefined>>): SettingsPatch | { field: string } {
  const secret = (flag: string | undefined, name: string): string | undefined => flag ?? env[name];
  let token: TokenPatch | undefined;
  let apiBase: string | null | undefined;
  switch (o.mode) {
    case undefined:
      break;
    case 'sandbox':
      token = { provider: 'sandbox' };
      apiBase = o.apiBase ?? null;
      break;
    case 'relay':
      token = { provider: 'relay', url: o.tokenUrl ?? '' };
      apiBase = o.apiBase ?? 'https://api.weixin.qq.com';
      break;
    case 'appsecret':
      token = { provider: 'appsecret', appid: o.appid ?? '', secret: secret(o.appsecret, 'GCTERM_SETUP_APPSECRET') };
      apiBase = o.apiBase ?? 'https://api.weixin.qq.com';
      break;
    case 'component':
      token = {
        provider: 'component',
        componentAppid: o.componentAppid,
        componentAppsecret: secret(o.componentAppsecret, 'GCTERM_SETUP_COMPONENT_APPSECRET'),
        componentVerifyTicket: secret(o.componentVerifyTicket, 'GCTERM_SETUP_COMPONENT_VERIFY_TICKET'),
        authorizerAppid: o.authorizerAppid,
        authorizerRefreshToken: secret(o.authorizerRefreshToken, 'GCTERM_SETUP_AUTHORIZER_REFRESH_TOKEN'),
      };
      apiBase = o.apiBase ?? 'https://api.weixin.qq.com';
      break;
    case 'hub':
      return { field: 'mode' };
  }
  const raw: Record<string, unknown> = {
    ...(o.language ? { language: o.language } : {}),
    ...(o.terminalId !== undefined ? { terminalId: o.terminalId } : {}),
    ...(o.locationId !== undefined ? { locationId: o.locationId || null } : {}),
    ...(o.merchantId !== undefined ? { merchantId: o.merchantId || null } : {}),
    ...(apiBase !== undefined ? { apiBase } : {}),
    ...(token ? { token } : {}),
    ...(o.idleLockMinutes !== undefined ? { idleLockMinutes: Number(o.idleLockMinutes) } : {}),
    ...(o.kiosk !== undefined || o.startAtLogin !== undefined
      ? { shell: { ...(o.kiosk !== undefined ? { kiosk: o.kiosk } : {}), ...(o.startAtLogin !== undefined ? { startAtLogin: o.startAtLogin } : {}) } }
      : {}),
  };
  const parsed = SettingsPatchSchema.safeParse(raw);
  if (!parsed.success) return { field: parsed.error.issues[0]?.path.map(String).join('.') ?? '?' };
  return parsed.data;
}

function pinsFromFlags(values: readonly string[]): SetupPin[] | null {
  const pins: SetupPin[] = [];
  for (const value of values) {
    const at = value.lastIndexOf('=');
    if (at <= 0) return null;
    pins.push({ name: value.slice(0, at), pin: value.slice(at + 1) });
  }
  return pins;
}

export const registerSetupCommand: RegisterCommand = (program, io) => {
  program
    .command('setup')
    .description('first-run setup: ids, API mode and credentials (tested), new PINs / 首次安装设置')
    .addOption(new Option('--language <language>', 'the terminal language').choices(['zh-CN', 'en']))
    .option('--terminal-id <id>', 'this terminal (T01, …)')
    .option('--location-id <id>', "the store's location id (poi id)")
    .option('--merchant-id <id>', 'the merchant id')
    .addOption(new Option('--mode <mode>', 'how this terminal reaches WeChat').choices(['sandbox', 'relay', 'appsecret', 'component', 'hub']))
    .option('--api-base <url>', 'the API base (default https://api.weixin.qq.com when LIVE)')
    .option('--token-url <url>', 'relay: the token service')
    .option('--appid <appid>', 'appsecret: the AppID')
    .option('--appsecret <secret>', 'appsecret: the AppSecret (or GCTERM_SETUP_APPSECRET)')
    .option('--component-appid <appid>', 'component: the platform AppID')
    .option('--component-appsecret <secret>', 'component: its secret (or GCTERM_SETUP_COMPONENT_APPSECRET)')
    .option('--component-verify-ticket <ticket>', 'component: the verify ticket (or GCTERM_SETUP_COMPONENT_VERIFY_TICKET)')
    .option('--authorizer-appid <appid>', "component: the merchant's AppID")
    .option('--authorizer-refresh-token <token>', 'component: the refresh token (or GCTERM_SETUP_AUTHORIZER_REFRESH_TOKEN)')
    .option('--card-id <id>', 'a card id of this merchant: the connection test reads it back (card/get)')
    .option('--pin <name=pin>', 'a new PIN for one person, e.g. --pin 店长=8642 (repeat for each)', collect)
    .option('--idle-lock-minutes <n>', 'lock the counter after this many idle minutes (0 never)')
    .option('--kiosk', 'the desktop app runs full screen in kiosk mode')
    .option('--no-kiosk', 'the desktop app runs in a normal window')
    .option('--start-at-login', 'the desktop app starts with the Windows session')
    .option('--no-start-at-login', 'the desktop app does not start by itself')
    .option('--manager-pin <pin>', "a manager's PIN: needed once the terminal is set up")
    .action(async (local: SetupOptions, command: Command) => {
      const options = globals(command);
      await withTerminal(io, options, async (terminal, tr) => {
        if (local.mode === 'hub') {
          io.err(say(tr, '门店中心（hub）模式：请用 gcterm enrol <hub 地址> <登记码> 登记本终端。', 'Store hub: enrol this terminal with gcterm enrol <hub-url> <code>.'));
          io.setExitCode(EXIT.error);
          return;
        }
        const patch = patchFromFlags(local, process.env);
        if ('field' in patch) return refuse(io, tr, options.json, 'invalid_request', EXIT.error);
        const pins = pinsFromFlags(local.pin ?? []);
        if (pins === null) return refuse(io, tr, options.json, 'invalid_request', EXIT.error);
        const store = terminal.config.store;
        if (store.saved) {
          // Set up before: the same authority as Settings.
          const manager = await cliManager(terminal, local.managerPin, 'setup', tr.language);
          if (!manager.ok) return refuse(io, tr, options.json, manager.error.reason, EXIT.error);
        }
        await ensurePeople(terminal.db, terminal.config.settings.people);
        const auth = createAuth({ db: terminal.db, terminalId: terminal.config.settings.terminalId });
        const sandboxUrl = terminal.sim?.url ?? null;
        const after = settingsAfter(terminal.config.dataDir, patch);
        if (!after.ok) return refuse(io, tr, options.json, after.error.reason, EXIT.error);
        // The connection test first, with what it found printed.
        const tested = await testConnection(after.value, { db: terminal.db, sandboxUrl, cardId: local.cardId });
        if (!tested.ok) return refuse(io, tr, options.json, tested.error.reason, EXIT.error);
        const done = await completeSetup(
          { db: terminal.db, auth, dataDir: terminal.config.dataDir, terminalId: after.value.terminalId, sandboxUrl, apply: (p) => store.apply(p) },
          patch,
          pins,
          local.cardId,
        );
        if (!done.ok) return refuse(io, tr, options.json, done.error.reason, EXIT.error);
        const s = done.value;
        const mode = s.apiBase === null ? 'SANDBOX' : `LIVE (${s.token.provider})`;
        if (options.json) {
          io.out(JSON.stringify({ ok: true, mode: s.apiBase === null ? 'sandbox' : s.token.provider, apiBase: s.apiBase, terminalId: s.terminalId, locationId: s.locationId, merchantId: s.merchantId, language: s.language, cardTitle: tested.value.cardTitle, pinsChanged: pins.map((p) => p.name) }));
          return;
        }
        io.out(say(tr, `✔ 设置已保存：${mode}，终端 ${s.terminalId}`, `✔ Set up: ${mode}, terminal ${s.terminalId}`));
        io.out(say(tr, `  门店 ${s.locationId ?? '—'}，商户 ${s.merchantId ?? '—'}，语言 ${s.language}`, `  location ${s.locationId ?? '—'}, merchant ${s.merchantId ?? '—'}, language ${s.language}`));
        io.out(say(tr, `  连接测试：令牌正常${tested.value.cardTitle ? `，卡券「${tested.value.cardTitle}」可读取` : ''}`, `  Connection test: token OK${tested.value.cardTitle ? `, card "${tested.value.cardTitle}" read back` : ''}`));
        if (pins.length > 0) io.out(say(tr, `  已设置新 PIN 码：${pins.map((p) => p.name).join('、')}`, `  New PINs set for: ${pins.map((p) => p.name).join(', ')}`));
        io.out(say(tr, '  扫码枪测试：gcterm scan（串口/HID），或在应用的“设置”中扫码', '  Scanner test: gcterm scan (serial/HID), or scan in the app\'s Settings'));
      });
    });
};
