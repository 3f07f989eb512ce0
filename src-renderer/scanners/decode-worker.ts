/**
 * The camera's decode worker: zxing-wasm runs here so a 20–40 ms decode never stalls the video
 * preview or the cashier's typing. Messages are the `DecodeRequest`/`DecodeReply` types below.
 */
import type { DecodedCode, ZxingReaderOptions } from '../../shared/scan/camera-decoder.ts';
import { decodeFrame, prepareDecoder, type WasmSource } from './frame-decode.ts';

export type DecodeRequest =
  | Readonly<{ type: 'init'; wasm: WasmSource }>
  | Readonly<{ type: 'decode'; id: number; bitmap: ImageBitmap; smooth: boolean; options: ZxingReaderOptions }>;

export type DecodeReply =
  | Readonly<{ type: 'ready' }>
  | Readonly<{ type: 'init-failed'; message: string }>
  | Readonly<{ type: 'result'; id: number; code: DecodedCode | null; ms: number }>
  | Readonly<{ type: 'failed'; id: number; message: string }>;

/** The worker's global scope, typed for what it does here (the renderer's lib is DOM, not WebWorker). */
type WorkerScope = {
  onmessage: ((event: MessageEvent<DecodeRequest>) => void) | null;
  postMessage(message: DecodeReply): void;
};

const scope = self as unknown as WorkerScope;

scope.onmessage = (event) => {
  const request = event.data;
  if (request.type === 'init') {
    prepareDecoder(request.wasm).then(
      () => scope.postMessage({ type: 'ready' }),
      (error: unknown) => scope.postMessage({ type: 'init-failed', message: error instanceof Error ? error.message : String(error) }),
    );
    return;
  }
  const started = performance.now();
  decodeFrame({ bitmap: request.bitmap, smooth: request.smooth, options: request.options }).then(
    (code) => scope.postMessage({ type: 'result', id: request.id, code, ms: performance.now() - started }),
    (error: unknown) => scope.postMessage({ type: 'failed', id: request.id, message: error instanceof Error ? error.message : String(error) }),
  );
};
