/**
 * Camera scanning on the Redeem screen: a preview while the camera scanner
 * (src-renderer/scanners/camera.ts) runs. It releases the camera by itself after a code, after a
 * minute without one, or when the page is hidden; the button says which.
 */
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RawScan, ScannerError } from '../../../shared/scan/events.ts';
import type { CameraSettings } from '../../../shared/scan/settings.ts';
import { createCameraScanner, type CameraScanner } from '../../scanners/camera.ts';

export const cameraSupported = (): boolean =>
  typeof navigator !== 'undefined' && navigator.mediaDevices !== undefined && typeof navigator.mediaDevices.getUserMedia === 'function';

const TRANSLATED_ERRORS = new Set(['permission_denied', 'no_camera', 'busy', 'insecure_context', 'disconnected', 'decoder_failed']);

export function CameraButton({
  onLive,
  onRead,
  settings,
}: Readonly<{ onLive(live: boolean): void; onRead(read: RawScan): void; /** The saved camera choice and region. */ settings?: CameraSettings }>) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [problem, setProblem] = useState<ScannerError | null>(null);
  const video = useRef<HTMLVideoElement>(null);
  const read = useRef(onRead);
  read.current = onRead;
  const settingsRef = useRef(settings);
  settingsRef.current = settings;
  const live = useRef(onLive);
  live.current = onLive;

  useEffect(() => {
    const element = video.current;
    if (!open || !element) return;
    let scanner: CameraScanner | null = createCameraScanner({
      video: element,
      ...(settingsRef.current ? { settings: settingsRef.current } : {}),
      onScan: (raw) => read.current(raw),
      onError: (error) => setProblem(error),
      onState: (state) => {
        live.current(state === 'scanning');
        if (state === 'stopped') setOpen(false);
      },
    });
    scanner
      .start()
      .then((error) => {
        if (error) {
          setProblem(error);
          setOpen(false);
        }
      })
      .catch(() => setOpen(false));
    return () => {
      scanner?.dispose();
      scanner = null;
      live.current(false);
    };
  }, [open]);

  if (!cameraSupported()) return null;
  return (
    <div className="camera">
      <button
        type="button"
        className="button secondary"
        data-testid="camera"
        aria-pressed={open}
        onClick={() => {
          setProblem(null);
          setOpen(!open);
        }}
      >
        {open ? t('camera.stop') : t('camera.start')}
      </button>
      {open && <video ref={video} className="camera-preview" muted playsInline aria-label={t('camera.preview')} />}
      {problem && (
        <p className="scan-problem" role="alert" data-testid="camera-problem">
          {TRANSLATED_ERRORS.has(problem.code) ? t(`camera.error.${problem.code}`) : t('camera.problem', { problem: problem.message })}
        </p>
      )}
    </div>
  );
}
