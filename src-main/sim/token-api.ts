/**
 * access_token issuance as docs/wechat-api.md describes it: cgi-bin/token (each fetch supersedes
 * the previous token after a 5-minute overlap), stable_token (one shared token, force_refresh
 * limited), the third-party component and authorizer tokens (the refresh token rotates), and the
 * check every card endpoint makes on its access_token.
 */
import { randomBytes } from 'node:crypto';
import {
  ERR,
  FORCE_REFRESH_PER_DAY,
  FORCE_REFRESH_SPACING_S,
  SANDBOX_COMPONENT,
  TOKEN_LIFETIME_S,
  TOKEN_OVERLAP_S,
  type WeChatError,
} from './constants.ts';
import {
  forcedTokensSince,
  getRefreshToken,
  getToken,
  insertRefreshToken,
  insertToken,
  latestToken,
  pruneTokens,
  supersedeRefreshTokens,
  supersedeTokens,
  type IssuedToken,
  type TokenKind,
} from './store.ts';
import { parsePostBody, readFields, wxError, type SimContext, type WeChatAnswer, type WeChatHandler } from './wire.ts';

/** Real tokens are long opaque strings of this alphabet; clients must not assume a length. */
const newAccessToken = () => randomBytes(96).toString('base64url');
const newRefreshToken = () => `refreshtoken@@@${randomBytes(32).toString('base64url')}`;

/** WeChat's daily quotas reset at midnight Beijing time (UTC+8). */
const BEIJING_OFFSET_S = 8 * 3600;
const beijingDayStart = (now: number) => Math.floor((now + BEIJING_OFFSET_S) / 86_400) * 86_400 - BEIJING_OFFSET_S;

function issueToken(ctx: SimContext, kind: TokenKind, appid: string, forced = false): IssuedToken {
  const now = ctx.clock.nowSeconds();
  const token: IssuedToken = {
    token: newAccessToken(),
    kind,
    appid,
    issuedAt: now,
    expiresAt: now + TOKEN_LIFETIME_S,
    invalidAfter: null,
    forced,
  };
  pruneTokens(ctx.db, now);
  insertToken(ctx.db, token);
  return token;
}

/** Why a token is refused: invalidated by a newer one → 40001, past its lifetime → 42001. */
function tokenProblem(token: IssuedToken, now: number): WeChatError | null {
  if (token.invalidAfter !== null && token.invalidAfter < token.expiresAt && now >= token.invalidAfter) return ERR.invalidCredential;
  if (now >= token.expiresAt) return ERR.accessTokenExpired;
  return null;
}

/** Checks a token given in the query; returns the token, or the error answer. */
export function checkToken(
  ctx: SimContext,
  value: string | null,
  kinds: readonly TokenKind[],
): { ok: true; token: IssuedToken } | { ok: false; answer: WeChatAnswer } {
  if (value === null || value === '') return { ok: false, answer: wxError(ERR.accessTokenMissing) };
  const token = getToken(ctx.db, value);
  if (!token || !kinds.includes(token.kind)) return { ok: false, answer: wxError(ERR.invalidCredential) };
  const problem = tokenProblem(token, ctx.clock.nowSeconds());
  return problem ? { ok: false, answer: wxError(problem) } : { ok: true, token };
}

/** The tokens the card endpoints accept: the account's own and a third-party authorizer's. */
export const CARD_TOKEN_KINDS: readonly TokenKind[] = ['basic', 'stable', 'authorizer'];

function credentialProblem(ctx: SimContext, grantType: string | undefined, appid: string | undefined, secret: string | undefined): WeChatError | null {
  if (grantType !== 'client_credential') return ERR.invalidGrantType;
  if (appid === undefined || appid === '') return ERR.appidMissing;
  if (appid !== ctx.appid) return ERR.invalidAppid;
  if (secret === undefined || secret === '') return ERR.secretMissing;
  if (secret !== ctx.secret) return ERR.invalidAppsecret;
  return null;
}

/** GET /cgi-bin/token: a new token every time; the previous ones die 5 minutes later. */
export const handleToken: WeChatHandler = (ctx, request) => {
  const q = request.query;
  const problem = credentialProblem(ctx, q.get('grant_type') ?? undefined, q.get('appid') ?? undefined, q.get('secret') ?? undefined);
  if (problem) return wxError(problem);
  return ctx.db.transaction(() => {
    supersedeTokens(ctx.db, 'basic', ctx.appid, ctx.clock.nowSeconds() + TOKEN_OVERLAP_S);
    const token = issueToken(ctx, 'basic', ctx.appid);
    // The real service answers a token without errcode.
    return { access_token: token.token, expires_in: TOKEN_LIFETIME_S };
  })();
};

export type StableToken = Readonly<{ accessToken: string; expiresIn: number }>;

/**
 * The shared stable token: the same one while it has more than 5 minutes to live, then a new one
 * (the old one still works until it expires). force_refresh mints a new one at once and kills the
 * old one, at most 20 times a Beijing day and 30 s apart.
 */
export function stableToken(ctx: SimContext, forceRefresh: boolean): { ok: true; value: StableToken } | { ok: false; error: WeChatError } {
  const now = ctx.clock.nowSeconds();
  return ctx.db.transaction(() => {
    const current = latestToken(ctx.db, 'stable', ctx.appid);
    if (!forceRefresh && current && current.invalidAfter === null && now < current.expiresAt - TOKEN_OVERLAP_S) {
      return { ok: true as const, value: { accessToken: current.token, expiresIn: current.expiresAt - now } };
    }
    if (forceRefresh) {
      const forcedToday = forcedTokensSince(ctx.db, ctx.appid, beijingDayStart(now));
      if (forcedToday.length >= FORCE_REFRESH_PER_DAY) return { ok: false as const, error: ERR.dailyQuota };
      const last = forcedToday.at(-1);
      if (last !== undefined && now - last < FORCE_REFRESH_SPACING_S) return { ok: false as const, error: ERR.minuteQuota };
    }
    // A forced refresh kills the old token now; a natural rotation lets it live out its lifetime.
    supersedeTokens(ctx.db, 'stable', ctx.appid, forceRefresh ? now : Number.MAX_SAFE_INTEGER);
    const token = issueToken(ctx, 'stable', ctx.appid, forceRefresh);
    return { ok: true as const, value: { accessToken: token.token, expiresIn: TOKEN_LIFETIME_S } };
  })();
}

/** POST /cgi-bin/stable_token. */
export const handleStableToken: WeChatHandler = (ctx, request) => {
  const parsed = parsePostBody(request);
  if (!parsed.ok) return parsed.answer;
  const fields = readFields(parsed.body);
  const grantType = fields.string('grant_type');
  const appid = fields.string('appid');
  const secret = fields.string('secret');
  const forceRefresh = fields.boolean('force_refresh') ?? false;
  if (fields.malformed) return wxError(ERR.dataFormat);
  const problem = credentialProblem(ctx, grantType, appid, secret);
  if (problem) return wxError(problem);
  const result = stableToken(ctx, forceRefresh);
  if (!result.ok) return wxError(result.error);
  return { access_token: result.value.accessToken, expires_in: result.value.expiresIn };
};

/** POST /cgi-bin/component/api_component_token. */
export const handleComponentToken: WeChatHandler = (ctx, request) => {
  const parsed = parsePostBody(request);
  if (!parsed.ok) return parsed.answer;
  const fields = readFields(parsed.body);
  const appid = fields.string('component_appid');
  const secret = fields.string('component_appsecret');
  const ticket = fields.string('component_verify_ticket');
  if (fields.malformed) return wxError(ERR.dataFormat);
  if (appid === undefined || appid === '') return wxError(ERR.appidMissing);
  if (appid !== SANDBOX_COMPONENT.component_appid) return wxError(ERR.invalidAppid);
  if (secret === undefined || secret === '') return wxError(ERR.secretMissing);
  if (secret !== SANDBOX_COMPONENT.component_appsecret) return wxError(ERR.invalidAppsecret);
  if (ticket === undefined || ticket === '') return wxError(ERR.missingRequiredFields);
  if (ticket !== SANDBOX_COMPONENT.component_verify_ticket) return wxError(ERR.componentTicketInvalid);
  const token = ctx.db.transaction(() => issueToken(ctx, 'component', appid))();
  return { component_access_token: token.token, expires_in: TOKEN_LIFETIME_S };
};

/**
 * POST /cgi-bin/component/api_authorizer_token. Every call rotates the refresh token: the one
 * just used (and any other older one) keeps working 5 more minutes, then answers 61023. The
 * authorizer access token is superseded the same way as cgi-bin/token's.
 */
export const handleAuthorizerToken: WeChatHandler = (ctx, request) => {
  if (request.method !== 'POST') return wxError(ERR.requirePost);
  const component = checkToken(ctx, request.query.get('component_access_token'), ['component']);
  if (!component.ok) return component.answer;
  const parsed = parsePostBody(request);
  if (!parsed.ok) return parsed.answer;
  const fields = readFields(parsed.body);
  const componentAppid = fields.string('component_appid');
  const authorizerAppid = fields.string('authorizer_appid');
  const refreshToken = fields.string('authorizer_refresh_token');
  if (fields.malformed) return wxError(ERR.dataFormat);
  if (componentAppid === undefined || componentAppid === '') return wxError(ERR.appidMissing);
  if (componentAppid !== component.token.appid) return wxError(ERR.invalidAppid);
  if (authorizerAppid === undefined || authorizerAppid === '') return wxError(ERR.missingRequiredFields);
  if (authorizerAppid !== SANDBOX_COMPONENT.authorizer_appid) return wxError(ERR.componentNotAuthorized);
  if (refreshToken === undefined || refreshToken === '') return wxError(ERR.refreshTokenMissing);
  const now = ctx.clock.nowSeconds();
  return ctx.db.transaction(() => {
    const stored = getRefreshToken(ctx.db, refreshToken);
    if (!stored || stored.authorizerAppid !== authorizerAppid || (stored.invalidAfter !== null && now >= stored.invalidAfter)) {
      return wxError(ERR.refreshTokenInvalid);
    }
    supersedeRefreshTokens(ctx.db, authorizerAppid, now + TOKEN_OVERLAP_S);
    const nextRefreshToken = newRefreshToken();
    insertRefreshToken(ctx.db, { token: nextRefreshToken, authorizerAppid, issuedAt: now, invalidAfter: null });
    supersedeTokens(ctx.db, 'authorizer', authorizerAppid, now + TOKEN_OVERLAP_S);
    const token = issueToken(ctx, 'authorizer', authorizerAppid);
    return { authorizer_access_token: token.token, expires_in: TOKEN_LIFETIME_S, authorizer_refresh_token: nextRefreshToken };
  })();
};
