/**
 * Waiting for a condition instead of a fixed time: polls until it holds, and on timeout says what
 * was awaited and the last value seen. A test that sleeps a fixed time is flaky under load and
 * slow when idle; this is neither.
 *
 *   await until(() => reads.length === 2, 'two reads');
 *   const text = await until(() => page.innerText('#result'), (t) => t.includes('¥35.00'), 'the result');
 */
export type UntilOptions = Readonly<{ timeoutMs?: number; intervalMs?: number }>;

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_INTERVAL_MS = 10;

/** Until `condition()` is true. */
export function until(condition: () => boolean | Promise<boolean>, what: string, options?: UntilOptions | number): Promise<void>;
/** Until `accept(read())`; resolves with the accepted value. */
export function until<T>(read: () => T | Promise<T>, accept: (value: T) => boolean, what: string, options?: UntilOptions | number): Promise<T>;
export async function until<T>(
  read: () => T | Promise<T>,
  acceptOrWhat: ((value: T) => boolean) | string,
  whatOrOptions?: string | UntilOptions | number,
  maybeOptions?: UntilOptions | number,
): Promise<T | void> {
  const conditionOnly = typeof acceptOrWhat === 'string';
  const accept = conditionOnly ? (value: T) => value === true : acceptOrWhat;
  const what = conditionOnly ? acceptOrWhat : String(whatOrOptions);
  const raw = conditionOnly ? (whatOrOptions as UntilOptions | number | undefined) : maybeOptions;
  const options: UntilOptions = typeof raw === 'number' ? { timeoutMs: raw } : (raw ?? {});
  const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  let last = await read();
  while (!accept(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen: ${describe(last)}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? DEFAULT_INTERVAL_MS));
    last = await read();
  }
  return conditionOnly ? undefined : last;
}

function describe(value: unknown): string {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text.length > 300 ? `${text.slice(0, 300)}…` : text;
  } catch {
    return String(value);
  }
}
