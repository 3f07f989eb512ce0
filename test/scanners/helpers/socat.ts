import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

/**
 * A real pseudo-terminal pair made by socat: bytes written to `scannerSide` come out of
 * `appSide`, exactly like a serial scanner on a cable. With `links`, socat also creates stable
 * symlinks (like /dev/serial/by-id), so a restarted pair reappears at the same paths: an
 * unplug/replug.
 */
export type PtyPair = {
  readonly scannerSide: string;
  readonly appSide: string;
  /** The two /dev/pts paths socat reported. */
  readonly ptys: readonly [string, string];
  /**
   * Writes bytes as the scanner (opens, writes, closes the scanner side). Asynchronous on
   * purpose: a pty holds only a few KB, and a blocking write would stall the very event loop
   * whose serial port has to drain it.
   */
  write(bytes: Uint8Array | string): Promise<void>;
  /** Kills socat: both ends vanish, as when a USB serial adapter is pulled. */
  close(): Promise<void>;
};

export async function openPtyPair(links?: Readonly<{ scanner: string; app: string }>): Promise<PtyPair> {
  const end = (link?: string): string => `pty,raw,echo=0${link ? `,link=${link}` : ''}`;
  const child = spawn('socat', ['-d', '-d', end(links?.scanner), end(links?.app)], { stdio: ['ignore', 'ignore', 'pipe'] });
  const ptys = await new Promise<[string, string]>((resolve, reject) => {
    const found: string[] = [];
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`socat did not start: ${stderr}`)), 5000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      stderr += text;
      for (const match of text.matchAll(/PTY is (\/dev\/pts\/\d+)/g)) if (match[1]) found.push(match[1]);
      // Only once the transfer loop runs are both ends connected.
      if (found.length >= 2 && /starting data transfer loop/.test(stderr)) {
        clearTimeout(timer);
        resolve([found[0] ?? '', found[1] ?? '']);
      }
    });
  });
  const scannerSide = links?.scanner ?? ptys[0];
  const appSide = links?.app ?? ptys[1];
  return {
    scannerSide,
    appSide,
    ptys,
    async write(bytes) {
      const handle = await open(scannerSide, constants.O_RDWR | constants.O_NOCTTY);
      try {
        const buffer = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
        let offset = 0;
        while (offset < buffer.length) offset += (await handle.write(buffer, offset)).bytesWritten;
      } finally {
        await handle.close();
      }
    },
    close: () => killAndWait(child),
  };
}

function killAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
