/** The WeChat API paths the simulator serves, and who answers each. */
import { handleCardGet, handleCodeGet, handleConsume, handleUpdateUser } from './card-api.ts';
import { handleAuthorizerToken, handleComponentToken, handleStableToken, handleToken } from './token-api.ts';
import type { WeChatHandler } from './wire.ts';

export const WECHAT_ROUTES: Readonly<Record<string, WeChatHandler>> = {
  '/cgi-bin/token': handleToken,
  '/cgi-bin/stable_token': handleStableToken,
  '/cgi-bin/component/api_component_token': handleComponentToken,
  '/cgi-bin/component/api_authorizer_token': handleAuthorizerToken,
  '/card/get': handleCardGet,
  '/card/code/get': handleCodeGet,
  '/card/generalcard/updateuser': handleUpdateUser,
  '/card/code/consume': handleConsume,
};

export const WECHAT_PATHS: readonly string[] = Object.keys(WECHAT_ROUTES);

export function wechatHandler(path: string): WeChatHandler | undefined {
  return Object.hasOwn(WECHAT_ROUTES, path) ? WECHAT_ROUTES[path] : undefined;
}
