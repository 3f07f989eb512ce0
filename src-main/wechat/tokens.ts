/**
 * access_token providers. Each caches its token until 5 minutes before expiry and fetches at
 * most once at a time. `invalidate(token)` is called when the service answers 40001/40014/42001
 * with that token: the next `getToken` fetches a fresh one.
 */
import type { AxiosInstance } from 'axios';
import type { z } from 'zod';
import { createLogger, maskSecret } from '../log.ts';
import { networkFailure, TokenError, WeChatError } from './errors.ts';
import { AuthorizerTokenSchema, ComponentTokenSchema, EnvelopeSchema, TokenAnswerSchema } from './schemas.ts';

const log = createLogger('tokens');

/** Tokens are renewed this long before WeChat says they expire (docs/wechat-api.md). */
export const TOKEN_MARGIN_MS = 5 * 60_000;

export type TokenProvider = Readonly<{
  getToken(): Promise<string>;
  invalidate(token: string): void;
  readonly name: string;
}>;

type Fetched = Readonly<{ token: string; expiresInSeconds: number }>;
type Clock = () => number;

/** Caching, single-flight and invalidation shared by every provider. */
function cachedProvider(name: string, fetchToken: (force: boolean) => Promise<Fetched>, now: Clock): TokenProvider {
  let cached: { token: string; renewAt: number } | null = null;
  let invalidated: string | null = null;
  let inFlight: Promise<string> | null = null;
  return {
    name,
    getToken() {
      if (cached && now() < cached.renewAt) return Promise.resolve(cached.token);
      if (inFlight) return inFlight;
      const force = invalidated !== null;
      inFlight = fetchToken(force)
        .then(({ token, expiresInSeconds }) => {
          const lifetime = expiresInSeconds * 1000;
          const renewAt = now() + (lifetime > TOKEN_MARGIN_MS * 2 ? lifetime - TOKEN_MARGIN_MS : lifetime / 2);
          cached = { token, renewAt };
          invalidated = null;
          log.info(`${name}: new access token ${maskSecret(token)}, valid ${expiresInSeconds}s`);
          return token;
        })
        .finally(() => {
          inFlight = null;
        });
      return inFlight;
    },
    invalidate(token) {
      if (cached?.token === token) {
        cached = null;
        invalidated = token;
      }
    },
  };
}

async function request<S extends z.ZodType>(
  http: AxiosInstance,
  what: string,
  config: Readonly<{ method: 'GET' | 'POST'; url: string; data?: unknown }>,
  schema: S,
): Promise<z.infer<S>> {
  let data: unknown;
  try {
    const response = await http.request({ ...config, responseType: 'json', validateStatus: () => true });
    if (response.status >= 500) throw new WeChatError(what, { kind: 'unknown', detail: `HTTP ${response.status}` });
    if (response.status >= 400) throw new TokenError(`${what}: HTTP ${response.status}`);
    data = response.data;
  } catch (error) {
    if (error instanceof TokenError || error instanceof WeChatError) throw error;
    // No connection is not a configuration problem: offline rules apply, like any API call.
    throw new WeChatError(what, networkFailure(error));
  }
  const envelope = EnvelopeSchema.safeParse(data);
  if (envelope.success && envelope.data.errcode !== undefined && envelope.data.errcode !== 0) {
    throw new TokenError(`${what}: errcode ${envelope.data.errcode} ${envelope.data.errmsg ?? ''}`.trim(), { errcode: envelope.data.errcode });
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new TokenError(`${what}: answer of the wrong shape`);
  return parsed.data;
}

/** A fixed token (tests, or a token handed in by another system). */
export function staticTokenProvider(token: string): TokenProvider {
  return { name: 'static', getToken: () => Promise.resolve(token), invalidate: () => undefined };
}

/**
 * The merchant's own token service (recommended: no AppSecret on the store PC). GET `url` answers
 * `{access_token, expires_in}`; after a token was refused, `refresh=1` asks it for a new one.
 */
export function relayTokenProvider(http: AxiosInstance, url: string, now: Clock = Date.now): TokenProvider {
  return cachedProvider(
    'relay',
    async (force) => {
      const target = force ? `${url}${url.includes('?') ? '&' : '?'}refresh=1` : url;
      const answer = await request(http, 'token relay', { method: 'GET', url: target }, TokenAnswerSchema);
      return { token: answer.access_token, expiresInSeconds: answer.expires_in };
    },
    now,
  );
}

/**
 * appid + AppSecret through `cgi-bin/stable_token`, never `cgi-bin/token` (which knocks other
 * terminals' tokens out). Without force_refresh every terminal shares one token; force_refresh is
 * used only when the shared token itself was refused, at most once per 30 s.
 */
export function appSecretTokenProvider(
  http: AxiosInstance,
  credentials: Readonly<{ appid: string; secret: string }>,
  now: Clock = Date.now,
): TokenProvider {
  let lastForcedAt = -Infinity;
  let lastRefused: string | null = null;
  const fetchStable = (forceRefresh: boolean) =>
    request(
      http,
      'stable_token',
      {
        method: 'POST',
        url: '/cgi-bin/stable_token',
        data: { grant_type: 'client_credential', appid: credentials.appid, secret: credentials.secret, force_refresh: forceRefresh },
      },
      TokenAnswerSchema,
    );
  const provider = cachedProvider(
    'appsecret',
    async (force) => {
      let answer = await fetchStable(false);
      if (force && answer.access_token === lastRefused && now() - lastForcedAt >= 30_000) {
        lastForcedAt = now();
        answer = await fetchStable(true);
      }
      return { token: answer.access_token, expiresInSeconds: answer.expires_in };
    },
    now,
  );
  return {
    ...provider,
    invalidate(token) {
      lastRefused = token;
      provider.invalidate(token);
    },
  };
}

/** api_authorizer_token: "refresh_token is invalid". */
const REFRESH_TOKEN_INVALID = 61023;

/** Where a third-party platform keeps the rotating authorizer_refresh_token (durably). */
export type RefreshTokenStore = Readonly<{ load(): string | null; save(token: string): void }>;

/**
 * A third-party platform acting for a merchant: component token, then the authorizer token. The
 * rotated authorizer_refresh_token is saved before the new access token is used: losing it would
 * force the merchant to authorise again.
 */
export function componentTokenProvider(
  http: AxiosInstance,
  credentials: Readonly<{
    componentAppid: string;
    componentAppsecret: string;
    componentVerifyTicket: string;
    authorizerAppid: string;
    authorizerRefreshToken: string;
  }>,
  store: RefreshTokenStore,
  now: Clock = Date.now,
): TokenProvider {
  const component = cachedProvider(
    'component',
    async () => {
      const answer = await request(
        http,
        'api_component_token',
        {
          method: 'POST',
          url: '/cgi-bin/component/api_component_token',
          data: {
            component_appid: credentials.componentAppid,
            component_appsecret: credentials.componentAppsecret,
            component_verify_ticket: credentials.componentVerifyTicket,
          },
        },
        ComponentTokenSchema,
      );
      return { token: answer.component_access_token, expiresInSeconds: answer.expires_in };
    },
    now,
  );
  return cachedProvider(
    'component',
    async () => {
      const componentToken = await component.getToken();
      const authorizerToken = (refreshToken: string) =>
        request(
          http,
          'api_authorizer_token',
          {
            method: 'POST',
            url: `/cgi-bin/component/api_authorizer_token?component_access_token=${encodeURIComponent(componentToken)}`,
            data: {
              component_appid: credentials.componentAppid,
              authorizer_appid: credentials.authorizerAppid,
              authorizer_refresh_token: refreshToken,
            },
          },
          AuthorizerTokenSchema,
        );
      const saved = store.load();
      const configured = credentials.authorizerRefreshToken;
      let answer: z.infer<typeof AuthorizerTokenSchema>;
      try {
        answer = await authorizerToken(saved ?? configured);
      } catch (error) {
        // The saved token is dead (61023) and the settings hold a different one: the merchant
        // authorised again and the installer entered the new token. Without this the stale saved
        // token would win for ever.
        if (!(error instanceof TokenError && error.errcode === REFRESH_TOKEN_INVALID && saved !== null && saved !== configured)) throw error;
        log.warn('component: the saved authorizer_refresh_token was refused (61023); trying the one in the settings');
        answer = await authorizerToken(configured);
      }
      store.save(answer.authorizer_refresh_token);
      return { token: answer.authorizer_access_token, expiresInSeconds: answer.expires_in };
    },
    now,
  );
}
