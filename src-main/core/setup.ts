/**
 * First-run setup, shared by the setup screen and `gcterm setup`: a connection test (a real token
 * fetch and a card/get of a card id the installer gives) and the completion that saves the
 * settings and the new PINs of the fresh-install people. LIVE is refused while 1234 or 9999 would
 * still be a PIN. Everything is checked before anything is written.
 */
import type { ConnectionTestView, CoreApi, ErrorView } from '../../shared/contract.ts';
import { err, ok, type Result } from '../../shared/result.ts';
import type { SettingsPatch } from '../../shared/settings-patch.ts';
import { applySettingsPatch, readSettingsFile, SettingsSchema, type SecretBox, type Settings } from '../config.ts';
import { getSecret, putSecret } from '../journal/cards.ts';
import type { Db } from '../journal/db.ts';
import { changePerson, getPersonByName } from '../journal/people.ts';
import { createLogger } from '../log.ts';
import { SANDBOX_APPID, SANDBOX_SECRET } from '../sim/index.ts';
import { WeChatError } from '../wechat/errors.ts';
import { createHttp, createWeChatClient } from '../wechat/client.ts';
import { appSecretTokenProvider, componentTokenProvider, relayTokenProvider, staticTokenProvider, type TokenProvider } from '../wechat/tokens.ts';
import type { Auth } from './auth.ts';
import { failure, type CoreContext } from './context.ts';
import { DEFAULT_PINS, hashPin, newPinProblem } from './pins.ts';
import { statusView } from './status.ts';

const log = createLogger('setup');

/** The settings a patch would give, without saving anything. */
export function settingsAfter(dataDir: string, patch: SettingsPatch): Result<Settings, ErrorView> {
  const raw = applySettingsPatch(readSettingsFile(dataDir), patch);
  if (!raw.ok) return failure('invalid_request', { field: raw.error.field });
  const parsed = SettingsSchema.safeParse(raw.value);
  if (!parsed.success) return failure('invalid_request', { field: parsed.error.issues[0]?.path.map(String).join('.') ?? '' });
  return ok(parsed.data);
}

function providerFor(settings: Settings, apiBase: string, db: Db, box: SecretBox | undefined): TokenProvider {
  const http = createHttp(apiBase, settings.requestTimeoutMs);
  const token = settings.token;
  switch (token.provider) {
    case 'sandbox':
      return appSecretTokenProvider(http, { appid: SANDBOX_APPID, secret: SANDBOX_SECRET });
    case 'relay':
      return relayTokenProvider(createHttp(token.url, settings.requestTimeoutMs), token.url);
    case 'appsecret':
      return appSecretTokenProvider(http, token);
    case 'component':
      // A test rotates the refresh token like any use: the new one is kept where the terminal reads it.
      return componentTokenProvider(http, token, {
        load: () => {
          const stored = getSecret(db, 'authorizer_refresh_token');
          return stored !== null && box ? box.decrypt(stored) : stored;
        },
        save: (value) => putSecret(db, 'authorizer_refresh_token', box ? box.encrypt(value) : value),
      });
    case 'static':
      return staticTokenProvider(token.accessToken);
  }
}

const unreachable = (error: unknown): boolean => {
  if (error instanceof WeChatError) return error.failure.kind !== 'api';
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof WeChatError && cause.failure.kind !== 'api';
};

/**
 * Fetches a token from the configured API (`sandboxUrl` stands in for a null API base: the
 * embedded simulator) and, given a card id, reads that card back.
 */
export async function testConnection(
  settings: Settings,
  options: Readonly<{ db: Db; box?: SecretBox; sandboxUrl: string | null; cardId?: string }>,
): Promise<Result<ConnectionTestView, ErrorView>> {
  const apiBase = settings.apiBase ?? options.sandboxUrl;
  if (apiBase === null) return ok({ apiBase: 'sandbox', tokenOk: true, cardTitle: null });
  const tokens = providerFor(settings, apiBase, options.db, options.box);
  try {
    await tokens.getToken();
  } catch (error) {
    log.warn('connection test: no token', { apiBase, message: (error as Error).message });
    return failure(unreachable(error) ? 'setup_unreachable' : 'setup_credentials');
  }
  if (!options.cardId) return ok({ apiBase, tokenOk: true, cardTitle: null });
  const client = createWeChatClient({ baseURL: apiBase, timeoutMs: settings.requestTimeoutMs, tokens });
  try {
    const card = await client.getCard(options.cardId);
    return ok({ apiBase, tokenOk: true, cardTitle: card.title });
  } catch (error) {
    log.warn('connection test: card/get failed', { apiBase, message: (error as Error).message });
    if (unreachable(error)) return failure('setup_unreachable');
    return failure(error instanceof WeChatError && error.errcode !== null && [40001, 40014, 42001, 48001].includes(error.errcode) ? 'setup_credentials' : 'setup_card_unknown');
  }
}

export type SetupPin = Readonly<{ name: string; pin: string }>;

/**
 * Checks and applies a setup: the new PINs (each valid, distinct, owned by a known person), LIVE
 * only without a fresh-install PIN left, the connection tested when LIVE; then the PINs and the
 * settings are saved.
 */
export async function completeSetup(
  deps: Readonly<{ db: Db; auth: Auth; dataDir: string; terminalId: string; box?: SecretBox; sandboxUrl: string | null; apply(patch: SettingsPatch): Result<unknown, { field: string }> }>,
  patch: SettingsPatch,
  pins: readonly SetupPin[],
  cardId?: string,
): Promise<Result<Settings, ErrorView>> {
  const after = settingsAfter(deps.dataDir, patch);
  if (!after.ok) return after;
  const names = new Set<string>();
  for (const { name, pin } of pins) {
    if (!getPersonByName(deps.db, name.trim())) return failure('person_unknown');
    const problem = newPinProblem(pin);
    if (problem) return failure(problem);
    if (names.has(name.trim())) return failure('invalid_request', { field: 'pins' });
    names.add(name.trim());
  }
  const newPins = pins.map((p) => p.pin);
  if (new Set(newPins).size !== newPins.length) return failure('pin_unavailable');
  for (const pin of newPins) {
    const owner = await deps.auth.ownerOf(pin);
    if (owner && !names.has(owner.name)) return failure('pin_unavailable');
  }
  if (after.value.apiBase !== null) {
    for (const pin of DEFAULT_PINS) {
      const owner = await deps.auth.ownerOf(pin);
      if (newPins.includes(pin) || (owner && !names.has(owner.name))) return failure('pin_default_live');
    }
    const tested = await testConnection(after.value, { db: deps.db, box: deps.box, sandboxUrl: deps.sandboxUrl, cardId });
    if (!tested.ok) return tested;
  }
  const hashes = await Promise.all(pins.map(async (p) => ({ name: p.name.trim(), pinHash: await hashPin(p.pin) })));
  const applied = deps.apply(patch);
  if (!applied.ok) return failure('invalid_request', { field: applied.error.field });
  for (const { name, pinHash } of hashes) changePerson(deps.db, { kind: 'pin', name, pinHash, reset: true }, 'setup', deps.terminalId);
  return ok(after.value);
}

export function setupHandlers(ctx: CoreContext): Pick<CoreApi, 'setup:testConnection' | 'setup:complete'> {
  // Only a first start may run setup without a manager; afterwards Settings does it.
  const sandboxUrl = () => ctx.terminal.sim?.url ?? null;
  return {
    'setup:testConnection': async ({ patch, cardId }) => {
      if (!ctx.state.setupNeeded) return failure('manager_required');
      const after = settingsAfter(ctx.terminal.config.dataDir, patch);
      if (!after.ok) return after;
      return testConnection(after.value, { db: ctx.terminal.db, box: ctx.secretBox, sandboxUrl: sandboxUrl(), cardId });
    },
    'setup:complete': async ({ patch, pins }) => {
      if (!ctx.state.setupNeeded) return failure('manager_required');
      const done = await completeSetup(
        {
          db: ctx.terminal.db,
          auth: ctx.auth,
          dataDir: ctx.terminal.config.dataDir,
          terminalId: ctx.settings.current.terminalId,
          box: ctx.secretBox,
          sandboxUrl: sandboxUrl(),
          apply: (p) => ctx.settings.apply(p),
        },
        patch,
        pins,
      );
      if (!done.ok) return err(done.error);
      ctx.state.setupNeeded = false;
      ctx.pushStatus();
      return ok(statusView(ctx));
    },
  };
}
