/**
 * Cuts a serial scanner's byte stream into codes. Pure and synchronous: the serial scanner feeds
 * it whatever chunks the port delivers (one byte at a time or 64 KB at once) and gets back whole
 * frames. Memory is bounded by `maxFrameBytes` whatever the line carries.
 */
import type { SerialFraming } from '../../shared/scan/settings.ts';

const CR = 0x0d;
const LF = 0x0a;
const STX = 0x02;
const ETX = 0x03;

/** Longer than any barcode a counter sees (a QR code tops out near 3 KB). */
export const DEFAULT_MAX_FRAME_BYTES = 4096;

export type FrameOutput =
  | Readonly<{ type: 'frame'; bytes: Uint8Array }>
  /** More than the frame limit arrived without a terminator; bytes are dropped until the next one. */
  | Readonly<{ type: 'overflow'; dropped: number }>;

export type FrameDecoder = {
  push(chunk: Uint8Array): FrameOutput[];
  /** Ends the frame in progress: the idle-gap timer fired (only 'idle' framing yields a frame). */
  flush(): FrameOutput[];
  /** Drops any partial frame (the port was reopened: what came before is stale). */
  reset(): void;
  /** Bytes waiting for a terminator. */
  readonly pending: number;
};

export type FrameDecoderOptions = Readonly<{ framing: SerialFraming; maxFrameBytes?: number }>;

export function createFrameDecoder(options: FrameDecoderOptions): FrameDecoder {
  const max = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const framing = options.framing;
  let buffer = new Uint8Array(Math.min(max, 256));
  let length = 0;
  /** After an overflow, bytes are thrown away until the next terminator re-synchronises us. */
  let discarding = false;
  /** STX/ETX: whether we are between an STX and its ETX. */
  let inFrame = false;

  const append = (byte: number, out: FrameOutput[]): void => {
    if (discarding) return;
    if (length === max) {
      // Reported once, when it starts: a cashier should hear about a babbling line at once,
      // not when (if ever) it finally sends a terminator.
      out.push({ type: 'overflow', dropped: length + 1 });
      discarding = true;
      length = 0;
      return;
    }
    if (length === buffer.length) {
      const grown = new Uint8Array(Math.min(max, buffer.length * 2));
      grown.set(buffer);
      buffer = grown;
    }
    buffer[length++] = byte;
  };

  const endFrame = (out: FrameOutput[]): void => {
    if (discarding) {
      // The overflow was reported when it began; the terminator only re-synchronises us.
      discarding = false;
      length = 0;
      return;
    }
    const bytes = trimLineBreaks(buffer.slice(0, length));
    length = 0;
    if (bytes.length > 0) out.push({ type: 'frame', bytes });
  };

  return {
    push(chunk) {
      const out: FrameOutput[] = [];
      for (const byte of chunk) {
        switch (framing) {
          case 'cr':
            if (byte === CR) endFrame(out);
            else append(byte, out);
            break;
          case 'lf':
            if (byte === LF) endFrame(out);
            else append(byte, out);
            break;
          case 'crlf':
            // A frame ends at LF; the CR before it is trimmed with other stray line breaks.
            if (byte === LF) endFrame(out);
            else append(byte, out);
            break;
          case 'stx-etx':
            if (byte === STX) {
              // A new STX abandons an unterminated frame: its ETX was lost on the line.
              length = 0;
              discarding = false;
              inFrame = true;
            } else if (byte === ETX) {
              if (inFrame) endFrame(out);
              inFrame = false;
            } else if (inFrame) {
              append(byte, out);
            }
            // Bytes outside STX…ETX are line noise and ignored.
            break;
          case 'idle':
            append(byte, out);
            break;
        }
      }
      return out;
    },
    flush() {
      const out: FrameOutput[] = [];
      if (framing === 'idle' && (length > 0 || discarding)) endFrame(out);
      return out;
    },
    reset() {
      length = 0;
      discarding = false;
      inFrame = false;
    },
    get pending() {
      return length;
    },
  };
}

function trimLineBreaks(bytes: Uint8Array): Uint8Array {
  let start = 0;
  let end = bytes.length;
  while (start < end && (bytes[start] === CR || bytes[start] === LF)) start++;
  while (end > start && (bytes[end - 1] === CR || bytes[end - 1] === LF)) end--;
  return bytes.subarray(start, end);
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Scanners send ASCII (or UTF-8 for QR content); anything else becomes U+FFFD and fails validation. */
export function frameText(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}
