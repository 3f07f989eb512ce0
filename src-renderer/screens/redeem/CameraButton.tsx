/**
 * Camera scanning: a preview with the reader running while it is open. The decoder itself lives
 * in src-renderer/scanners (the scanner engineer's module); this is the Redeem screen's side of
 * that integration point (see camera.ts).
 */
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { cameraSupported, startCamera, type CameraSession } from './camera.ts';

export function CameraButton({ onLive, onScan }: Readonly<{ onLive(live: boolean): void; onScan(text: string): void }>) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const video = useRef<HTMLVideoElement>(null);
  const scan = useRef(onScan);
  scan.current = onScan;

  useEffect(() => {
    if (!open || !video.current) return;
    let session: CameraSession | null = null;
    let cancelled = false;
    startCamera(video.current, (text) => scan.current(text))
      .then((started) => {
        if (cancelled) return started.stop();
        session = started;
        onLive(true);
      })
      .catch((error: unknown) => {
        setProblem(error instanceof Error ? error.message : String(error));
        setOpen(false);
      });
    return () => {
      cancelled = true;
      session?.stop();
      onLive(false);
    };
  }, [open, onLive]);

  if (!cameraSupported()) return null;
  return (
    <div className="camera">
      <button type="button" className="button secondary" data-testid="camera" aria-pressed={open} onClick={() => { setProblem(null); setOpen(!open); }}>
        {open ? t('camera.stop') : t('camera.start')}
      </button>
      {open && <video ref={video} className="camera-preview" muted playsInline aria-label={t('camera.preview')} />}
      {problem && <p className="scan-problem" role="alert">{t('camera.problem', { problem })}</p>}
    </div>
  );
}
