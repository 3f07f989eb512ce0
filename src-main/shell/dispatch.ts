/**
 * One dispatcher for both transports (browser mode's HTTP and Electron's IPC): the call name is
 * checked against the contract, the request is validated with its zod schema, and only then does
 * the core see it. Whatever arrives here came from a renderer and is treated as untrusted.
 */
import { requestSchemas, type ApiName, type CoreApi, type CoreEvent, type ErrorView } from '../../shared/contract.ts';
import { err, type Result } from '../../shared/result.ts';
import { createLogger } from '../log.ts';

const log = createLogger('bridge');

/** What a transport needs from the core: the contract plus its event stream (`Core` fits). */
export type BridgedCore = CoreApi & Readonly<{ onEvent(listener: (event: CoreEvent) => void): () => void }>;

export const API_NAMES = Object.keys(requestSchemas) as readonly ApiName[];

export const isApiName = (name: unknown): name is ApiName =>
  typeof name === 'string' && Object.prototype.hasOwnProperty.call(requestSchemas, name);

export type DispatchOutcome =
  | Readonly<{ kind: 'answered'; result: Result<unknown, ErrorView> }>
  | Readonly<{ kind: 'unknown_call' }>
  | Readonly<{ kind: 'invalid'; result: Result<never, ErrorView> }>
  | Readonly<{ kind: 'failed'; result: Result<never, ErrorView> }>;

/**
 * Validates and runs one call. Never throws: a core that throws (a bug) answers a value too, so
 * the renderer shows a message instead of hanging on a rejected promise.
 */
export async function dispatch(core: CoreApi, name: unknown, request: unknown): Promise<DispatchOutcome> {
  if (!isApiName(name)) return { kind: 'unknown_call' };
  const parsed = requestSchemas[name].safeParse(request);
  if (!parsed.success) {
    log.warn('request refused by its schema', { name, issues: parsed.error.issues.map((i) => i.path.join('.')) });
    return { kind: 'invalid', result: err({ reason: 'invalid_request' }) };
  }
  // The map is typed per name; TypeScript cannot correlate `name` with `parsed.data` across the
  // union, so the handler is viewed through the one signature all of them share.
  const handler = core[name] as (request: unknown) => Promise<Result<unknown, ErrorView>>;
  try {
    return { kind: 'answered', result: await handler.call(core, parsed.data) };
  } catch (error) {
    log.error('core call threw', { name, error: error instanceof Error ? error.message : String(error) });
    return { kind: 'failed', result: err({ reason: 'api_error' }) };
  }
}
