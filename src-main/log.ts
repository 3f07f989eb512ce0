/**
 * Named loggers. Nothing secret is ever logged: `redact` masks tokens, secrets and refresh tokens
 * in any object before it is written, and access_token query values in URLs.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

export type Logger = Readonly<Record<LogLevel, (message: string, data?: unknown) => void>>;

const SECRET_KEYS = /secret|token|password|pin|verify_ticket/i;

/** Keeps four leading characters so two tokens can still be told apart in a log. */
export function maskSecret(value: string): string {
  return value.length <= 8 ? '***' : `${value.slice(0, 4)}…(${value.length})`;
}

export function redactUrl(url: string): string {
  return url.replace(/((?:access_token|component_access_token|secret)=)[^&]*/gi, '$1***');
}

/** A deep copy with every secret-looking field masked. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8) return '…';
  if (typeof value === 'string') return redactUrl(value);
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      out[key] = SECRET_KEYS.test(key) && typeof v === 'string' ? maskSecret(v) : redact(v, depth + 1);
    }
    return out;
  }
  return value;
}

type Sink = (line: string) => void;
let sink: Sink = (line) => process.stderr.write(`${line}\n`);
let threshold: number = LEVELS[(process.env.GCTERM_LOG_LEVEL as LogLevel | undefined) ?? 'warn'] ?? LEVELS.warn;

/** Electron's shell sends logs to a file in the data directory; tests may silence them. */
export function configureLogging(options: Readonly<{ sink?: Sink; level?: LogLevel }>): void {
  if (options.sink) sink = options.sink;
  if (options.level) threshold = LEVELS[options.level];
}

export function createLogger(name: string): Logger {
  const write = (level: LogLevel) => (message: string, data?: unknown) => {
    if (LEVELS[level] < threshold) return;
    const suffix = data === undefined ? '' : ` ${JSON.stringify(redact(data))}`;
    sink(`${new Date().toISOString()} ${level.toUpperCase()} [${name}] ${message}${suffix}`);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
