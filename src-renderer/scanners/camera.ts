/**
 * The camera scanner: opens the chosen camera, decodes its frames continuously with zxing-wasm in
 * a worker (QR, Code 128 and EAN-13 only — restricting formats is most of the speed), tries the
 * region of interest first, and releases the camera the moment it is not scanning: after a code
 * (by default), on stop(), when the page is hidden, and after `maxScanMs` without a code.
 *
 * Frames are grabbed with createImageBitmap (cropped to the pass's region on the GPU side) and
 * handed to the worker; at most one frame is in flight, so a slow PC decodes fewer frames rather
 * than queueing stale ones.
 */
import wasmUrl from 'zxing-wasm/reader/zxing_reader.wasm?url';
import { CAMERA_DECODER, decodePasses, readerOptionsForPass, type CameraDecoderSettings, type DecodedCode, type ZxingReaderOptions } from '../../shared/scan/camera-decoder.ts';
import type { RawScan, ScannerError, ScannerErrorCode } from '../../shared/scan/events.ts';
import { DEFAULT_SCANNER_SETTINGS, type CameraSettings, type RegionOfInterest } from '../../shared/scan/settings.ts';
import type { DecodeReply, DecodeRequest } from './decode-worker.ts';
import { decodeFrame, prepareDecoder, type WasmSource } from './frame-decode.ts';

export type CameraInfo = Readonly<{ deviceId: string; label: string }>;

export type CameraState = 'starting' | 'scanning' | 'stopped';

/** Why the camera stopped: the UI words its prompt from this ("Tap to scan again"…). */
export type CameraStopReason = 'stopped' | 'scanned' | 'hidden' | 'timeout' | 'ended' | 'error';

export type CameraStats = Readonly<{
  /** performance.now() of the first frame decoded after start, or null. */
  firstFrameAt: number | null;
  framesDecoded: number;
  lastDecodeMs: number;
  decoder: 'worker' | 'page' | 'none';
}>;

export type CameraScannerOptions = Readonly<{
  /** Where to show the preview; a hidden element is used when omitted. */
  video?: HTMLVideoElement;
  settings?: CameraSettings;
  decoder?: CameraDecoderSettings;
  /** zxing-wasm's .wasm; by default the copy from node_modules that the bundler emits. */
  wasm?: WasmSource;
  /** Decode in a Web Worker (default) or on the page's thread. */
  useWorker?: boolean;
  /** Stop the camera after this long without a code (0 = never). */
  maxScanMs?: number;
  onScan(read: RawScan, code: DecodedCode): void;
  onError?(error: ScannerError): void;
  onState?(state: CameraState, reason?: CameraStopReason): void;
  now?: () => number;
}>;

export type CameraScanner = {
  /** Opens the camera and scans until a code, stop(), or a reason to stop. Null when started. */
  start(): Promise<ScannerError | null>;
  /** Releases the camera at once. */
  stop(): void;
  setRegionOfInterest(roi: RegionOfInterest | null): void;
  readonly running: boolean;
  readonly stats: CameraStats;
  /** Stops, and ends the decode worker. */
  dispose(): void;
};

/** Which messages the UI shows; `code` lets it pick its own translated wording. */
const MESSAGES: Readonly<Partial<Record<ScannerErrorCode, string>>> = {
  permission_denied: 'Camera permission was denied. Allow the camera for gcterm (browser: the camera icon in the address bar; Windows: Settings → Privacy → Camera), then try again.',
  no_camera: 'No camera found. Plug in a camera, or choose another one in the scanner settings.',
  busy: 'The camera is in use by another program, or failed to start. Close the other program and try again.',
  insecure_context: 'The camera is only available on a secure page (https or localhost).',
  disconnected: 'The camera was unplugged.',
  decoder_failed: "The code decoder could not start (is 'wasm-unsafe-eval' allowed by the page's Content-Security-Policy?).",
};

function cameraError(code: ScannerErrorCode, device: string, at: number, detail?: string): ScannerError {
  const message = MESSAGES[code] ?? `The camera could not be used${detail ? `: ${detail}` : '.'}`;
  return { source: 'camera', device, code, message, at };
}

/** getUserMedia/enumerateDevices failures → what the cashier can do about them. */
export function describeCameraFailure(error: unknown, device: string, at: number): ScannerError {
  const name = error instanceof Error ? error.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
    case 'PermissionDeniedError':
      return cameraError('permission_denied', device, at);
    case 'NotFoundError':
    case 'OverconstrainedError':
    case 'DevicesNotFoundError':
      return cameraError('no_camera', device, at);
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return cameraError('busy', device, at);
    default:
      return cameraError('open_failed', device, at, error instanceof Error ? error.message : String(error));
  }
}

/** The cameras present. Labels are empty until camera permission has been granted once. */
export async function listCameras(now: () => number = Date.now): Promise<{ ok: true; cameras: CameraInfo[] } | { ok: false; error: ScannerError }> {
  const media = globalThis.navigator?.mediaDevices;
  if (!media?.enumerateDevices) return { ok: false, error: cameraError('insecure_context', 'camera', now()) };
  try {
    const devices = await media.enumerateDevices();
    const cameras = devices.filter((d) => d.kind === 'videoinput').map((d, i) => ({ deviceId: d.deviceId, label: d.label || `Camera ${i + 1}` }));
    if (cameras.length === 0) return { ok: false, error: cameraError('no_camera', 'camera', now()) };
    return { ok: true, cameras };
  } catch (error) {
    return { ok: false, error: describeCameraFailure(error, 'camera', now()) };
  }
}

type FrameDecoderHandle = {
  readonly kind: 'worker' | 'page';
  decode(bitmap: ImageBitmap, smooth: boolean, options: ZxingReaderOptions): Promise<{ code: DecodedCode | null; ms: number }>;
  dispose(): void;
};

async function startWorkerDecoder(wasm: WasmSource): Promise<FrameDecoderHandle> {
  const worker = new Worker(new URL('./decode-worker.ts', import.meta.url), { type: 'module', name: 'gcterm-decoder' });
  const pending = new Map<number, { resolve: (value: { code: DecodedCode | null; ms: number }) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  const ready = new Promise<void>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<DecodeReply>) => {
      const reply = event.data;
      if (reply.type === 'ready') resolve();
      else if (reply.type === 'init-failed') reject(new Error(reply.message));
      else {
        const waiter = pending.get(reply.id);
        pending.delete(reply.id);
        if (reply.type === 'result') waiter?.resolve({ code: reply.code, ms: reply.ms });
        else waiter?.reject(new Error(reply.message));
      }
    };
    worker.onerror = (event) => {
      event.preventDefault();
      reject(new Error(event.message || 'decode worker failed to load'));
    };
  });
  const init: DecodeRequest = { type: 'init', wasm };
  worker.postMessage(init);
  try {
    await ready;
  } catch (error) {
    worker.terminate();
    throw error;
  }
  return {
    kind: 'worker',
    decode(bitmap, smooth, options) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        const request: DecodeRequest = { type: 'decode', id, bitmap, smooth, options };
        worker.postMessage(request, [bitmap]);
      });
    },
    dispose() {
      worker.terminate();
      for (const waiter of pending.values()) waiter.reject(new Error('decoder stopped'));
      pending.clear();
    },
  };
}

async function startPageDecoder(wasm: WasmSource): Promise<FrameDecoderHandle> {
  await prepareDecoder(wasm);
  return {
    kind: 'page',
    async decode(bitmap, smooth, options) {
      const started = performance.now();
      const code = await decodeFrame({ bitmap, smooth, options });
      return { code, ms: performance.now() - started };
    },
    dispose() {},
  };
}

export function createCameraScanner(options: CameraScannerOptions): CameraScanner {
  const now = options.now ?? Date.now;
  const settings = options.settings ?? DEFAULT_SCANNER_SETTINGS.camera;
  const decoderSettings = options.decoder ?? CAMERA_DECODER;
  const wasm: WasmSource = options.wasm ?? { url: wasmUrl };
  const maxScanMs = options.maxScanMs ?? 60_000;
  let roi = settings.roi;

  let stream: MediaStream | null = null;
  let video: HTMLVideoElement | null = null;
  let decoder: FrameDecoderHandle | null = null;
  let decoderStarting: Promise<FrameDecoderHandle> | null = null;
  let running = false;
  /** Bumped on every start/stop so callbacks from an earlier session are ignored. */
  let session = 0;
  let frameIndex = 0;
  let busy = false;
  let frameTimer: ReturnType<typeof setTimeout> | null = null;
  let frameCallback: number | null = null;
  let timeoutTimer: ReturnType<typeof setTimeout> | null = null;
  let deviceLabel = 'camera';
  let stats: { firstFrameAt: number | null; framesDecoded: number; lastDecodeMs: number; decoder: 'worker' | 'page' | 'none' } = {
    firstFrameAt: null,
    framesDecoded: 0,
    lastDecodeMs: 0,
    decoder: 'none',
  };

  const report = (error: ScannerError): void => {
    try {
      options.onError?.(error);
    } catch {
      // The UI's handler failing must not keep the camera on.
    }
  };
  const setState = (state: CameraState, reason?: CameraStopReason): void => {
    try {
      options.onState?.(state, reason);
    } catch {
      // As above.
    }
  };

  const getDecoder = async (): Promise<FrameDecoderHandle> => {
    if (decoder) return decoder;
    decoderStarting ??= (async () => {
      if (options.useWorker !== false && typeof Worker !== 'undefined' && typeof OffscreenCanvas !== 'undefined') {
        try {
          return await startWorkerDecoder(wasm);
        } catch {
          // A CSP without worker-src, or no module workers: decode on the page instead.
        }
      }
      return startPageDecoder(wasm);
    })();
    try {
      decoder = await decoderStarting;
      stats = { ...stats, decoder: decoder.kind };
      return decoder;
    } finally {
      decoderStarting = null;
    }
  };

  const release = (reason: CameraStopReason): void => {
    const wasRunning = running || stream !== null;
    running = false;
    session++;
    if (frameTimer !== null) clearTimeout(frameTimer);
    frameTimer = null;
    if (frameCallback !== null && video) video.cancelVideoFrameCallback(frameCallback);
    frameCallback = null;
    if (timeoutTimer !== null) clearTimeout(timeoutTimer);
    timeoutTimer = null;
    for (const track of stream?.getTracks() ?? []) track.stop();
    stream = null;
    if (video) {
      video.pause();
      video.srcObject = null;
    }
    if (wasRunning) setState('stopped', reason);
  };

  const onVisibility = (): void => {
    if (document.visibilityState === 'hidden' && running) release('hidden');
  };

  const scheduleFrame = (mine: number): void => {
    if (!running || mine !== session || !video) return;
    const element = video;
    // requestVideoFrameCallback only fires for a video that is rendered; a preview-less scanner
    // (no `video` option, element never attached) polls at about the camera's frame rate instead.
    if (options.video && typeof element.requestVideoFrameCallback === 'function') {
      frameCallback = element.requestVideoFrameCallback(() => {
        frameCallback = null;
        void onFrame(mine);
      });
    } else {
      frameTimer = setTimeout(() => void onFrame(mine), 33);
    }
  };

  const onFrame = async (mine: number): Promise<void> => {
    const element = video;
    if (!running || mine !== session || !element || busy) {
      scheduleFrame(mine);
      return;
    }
    const width = element.videoWidth;
    const height = element.videoHeight;
    if (width === 0 || height === 0) {
      scheduleFrame(mine);
      return;
    }
    const passes = decodePasses(decoderSettings, roi, width, height);
    // One pass per frame, in turn: a frame never costs more than one pass.
    const pass = passes[frameIndex++ % passes.length];
    if (!pass) return;
    busy = true;
    // Ask for the next frame now so the preview keeps its pace while this one decodes.
    scheduleFrame(mine);
    try {
      const { rect } = pass;
      const scale = pass.maxSide > 0 ? Math.min(1, pass.maxSide / Math.max(rect.width, rect.height)) : 1;
      const bitmap = await createImageBitmap(element, rect.x, rect.y, rect.width, rect.height, {
        resizeWidth: Math.max(1, Math.round(rect.width * scale)),
        resizeHeight: Math.max(1, Math.round(rect.height * scale)),
      });
      const active = await getDecoder();
      if (mine !== session) {
        bitmap.close();
        return;
      }
      const { code, ms } = await active.decode(bitmap, pass.smooth, readerOptionsForPass(pass, decoderSettings.formats));
      if (mine !== session) return;
      stats = { ...stats, framesDecoded: stats.framesDecoded + 1, lastDecodeMs: ms, firstFrameAt: stats.firstFrameAt ?? performance.now() };
      if (code) {
        const read: RawScan = { source: 'camera', device: deviceLabel, raw: code.text, symbology: code.symbology, at: now() };
        if (settings.stopAfterScan) release('scanned');
        try {
          options.onScan(read, code);
        } catch {
          // The UI's handler failing must not break scanning.
        }
      }
    } catch (error) {
      if (mine === session) {
        report(cameraError('decoder_failed', deviceLabel, now(), error instanceof Error ? error.message : String(error)));
        release('error');
      }
    } finally {
      busy = false;
    }
  };

  return {
    async start() {
      if (running) return null;
      const mine = ++session;
      running = true;
      frameIndex = 0;
      stats = { ...stats, firstFrameAt: null, framesDecoded: 0 };
      setState('starting');
      const media = globalThis.navigator?.mediaDevices;
      if (!media?.getUserMedia) {
        const error = cameraError('insecure_context', 'camera', now());
        release('error');
        report(error);
        return error;
      }
      // Start the decoder alongside the camera; a decoder that cannot start is reported now,
      // not after the cashier has held the card up for a while.
      const decoderReady = getDecoder().then(
        () => null,
        (error: unknown) => cameraError('decoder_failed', 'camera', now(), error instanceof Error ? error.message : String(error)),
      );
      let opened: MediaStream;
      try {
        opened = await media.getUserMedia({
          audio: false,
          video: {
            ...(settings.deviceId ? { deviceId: { exact: settings.deviceId } } : { facingMode: { ideal: 'environment' } }),
            width: { ideal: 1280 },
            height: { ideal: 720 },
          },
        });
      } catch (error) {
        const failure = describeCameraFailure(error, settings.deviceId ?? 'camera', now());
        if (mine === session) release('error');
        report(failure);
        return failure;
      }
      if (mine !== session) {
        for (const track of opened.getTracks()) track.stop();
        return null;
      }
      stream = opened;
      const track = opened.getVideoTracks()[0];
      deviceLabel = track?.label || settings.deviceId || 'camera';
      track?.addEventListener('ended', () => {
        if (mine !== session) return;
        release('ended');
        report(cameraError('disconnected', deviceLabel, now()));
      });
      const decoderFailure = await decoderReady;
      if (decoderFailure) {
        release('error');
        report(decoderFailure);
        return decoderFailure;
      }
      video = options.video ?? video ?? document.createElement('video');
      video.muted = true;
      video.playsInline = true;
      video.srcObject = opened;
      try {
        await video.play();
      } catch (error) {
        // Autoplay of a muted camera preview is allowed; anything else here is a broken stream.
        if (mine === session) {
          const failure = describeCameraFailure(error, deviceLabel, now());
          release('error');
          report(failure);
          return failure;
        }
        return null;
      }
      if (mine !== session) return null;
      document.addEventListener('visibilitychange', onVisibility);
      if (maxScanMs > 0) timeoutTimer = setTimeout(() => release('timeout'), maxScanMs);
      setState('scanning');
      scheduleFrame(mine);
      return null;
    },
    stop() {
      release('stopped');
    },
    setRegionOfInterest(next) {
      roi = next;
    },
    get running() {
      return running;
    },
    get stats() {
      return stats;
    },
    dispose() {
      release('stopped');
      document.removeEventListener('visibilitychange', onVisibility);
      decoder?.dispose();
      decoder = null;
    },
  };
}
