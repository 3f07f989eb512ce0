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

export const processIO = (): CliIO & { exitCode(): number } => {
  let code = 0;
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
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
