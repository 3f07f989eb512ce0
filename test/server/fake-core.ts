/**
 * A stand-in core for transport tests: answers every contract call with a fixed value, records
 * what reached it, and lets the test push events. The contract's own behaviour is tested against
 * the real core elsewhere (test/core.test.ts, test/ui).
 */
import { requestSchemas, type ApiName, type CoreApi, type CoreEvent } from '../../shared/contract.ts';
import type { BridgedCore } from '../../src-main/shell/dispatch.ts';

export type FakeCore = BridgedCore & Readonly<{ calls: Array<readonly [ApiName, unknown]>; emit(event: CoreEvent): void }>;

export function createFakeCore(): FakeCore {
  const calls: Array<readonly [ApiName, unknown]> = [];
  const listeners = new Set<(event: CoreEvent) => void>();
  const api = Object.fromEntries(
    (Object.keys(requestSchemas) as ApiName[]).map((name) => [
      name,
      async (request: unknown) => {
        calls.push([name, request]);
        return { ok: true, value: { answered: name } };
      },
    ]),
  ) as unknown as CoreApi;
  return {
    ...api,
    calls,
    emit: (event) => {
      for (const listener of listeners) listener(event);
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
