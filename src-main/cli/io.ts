import type { Command } from 'commander';

/** What a command needs from the process: output streams and its exit status. */
export type CliIO = {
  out(line: string): void;
  err(line: string): void;
  /** Sets the exit status `main` returns; the last non-zero value wins. */
  setExitCode(code: number): void;
};

/** Each command module adds its commands to the program. */
export type RegisterCommand = (program: Command, io: CliIO) => void;

/**
 * A reader that went away (`gcterm redeem … | head -1`) must not turn a committed redemption into
 * a crash: EPIPE on stdout or stderr is absorbed and later lines are dropped, so the exit status
 * still reports the redemption. Any other stream error is still thrown.
 */
export function tolerateClosedStreams(streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    if (closedStreams.has(stream) || stream.listeners('error').includes(onStreamError)) continue;
    stream.on('error', onStreamError);
  }
}

const closedStreams = new WeakSet<NodeJS.WritableStream>();

function onStreamError(this: NodeJS.WriteStream, error: NodeJS.ErrnoException): void {
  if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') {
    closedStreams.add(this);
    return;
  }
  throw error;
}

const writeLine = (stream: NodeJS.WriteStream, line: string): void => {
  if (closedStreams.has(stream) || stream.destroyed) return;
  stream.write(`${line}\n`);
};

export const processIO = (): CliIO & { exitCode(): number } => {
  let code = 0;
  tolerateClosedStreams();
  return {
    out: (line) => writeLine(process.stdout, line),
    err: (line) => writeLine(process.stderr, line),
    setExitCode: (next) => {
      if (next !== 0 || code === 0) code = next;
    },
    exitCode: () => code,
  };
};

/** Resolves when the process is asked to stop (Ctrl+C, or a service manager's SIGTERM). */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
