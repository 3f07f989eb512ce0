/**
 * Integration point for the camera scanner in src-renderer/scanners. Until that module is wired
 * in, the camera only shows a preview (no decoding), and cameraSupported() hides the button when
 * the page has no camera API at all.
 */
export type CameraSession = Readonly<{ stop(): void }>;

export const cameraSupported = (): boolean =>
  typeof navigator !== 'undefined' && navigator.mediaDevices !== undefined && typeof navigator.mediaDevices.getUserMedia === 'function';

export async function startCamera(video: HTMLVideoElement, _onScan: (text: string) => void): Promise<CameraSession> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
  video.srcObject = stream;
  await video.play();
  return {
    stop() {
      for (const track of stream.getTracks()) track.stop();
      video.srcObject = null;
    },
  };
}
