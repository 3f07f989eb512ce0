/**
 * Sound cues through WebAudio: short synthesised tones, so nothing is downloaded and each outcome
 * has its own unmistakable pattern (a cashier hears "approved" without looking). The AudioContext
 * is created on first use after a user gesture (browsers keep it suspended until then).
 */
export type Cue = 'scan' | 'approved' | 'declined' | 'queued' | 'review' | 'error';

type Tone = Readonly<{ hz: number; ms: number; type?: OscillatorType; gapMs?: number }>;

const PATTERNS: Readonly<Record<Cue, readonly Tone[]>> = {
  scan: [{ hz: 1500, ms: 60 }],
  // Rising: good news.
  approved: [{ hz: 880, ms: 110 }, { hz: 1320, ms: 180 }],
  // Low and long: stop.
  declined: [{ hz: 220, ms: 450, type: 'square' }],
  // Two equal mid tones: accepted, but not yet final.
  queued: [{ hz: 660, ms: 140 }, { hz: 660, ms: 140, gapMs: 90 }],
  // Alternating: look at the screen.
  review: [{ hz: 520, ms: 140 }, { hz: 390, ms: 140 }, { hz: 520, ms: 140 }],
  error: [{ hz: 300, ms: 160, type: 'square' }],
};

const MUTE_KEY = 'gcterm.muted';

export type SoundPlayer = Readonly<{
  play(cue: Cue): void;
  muted(): boolean;
  setMuted(muted: boolean): void;
}>;

export function createSoundPlayer(storage: Storage): SoundPlayer {
  let context: AudioContext | null = null;
  let muted = storage.getItem(MUTE_KEY) === '1';
  const audio = (): AudioContext | null => {
    if (typeof AudioContext === 'undefined') return null;
    context ??= new AudioContext();
    if (context.state === 'suspended') context.resume().catch(() => undefined);
    return context;
  };
  return {
    play(cue) {
      if (muted) return;
      const ctx = audio();
      if (!ctx) return;
      let at = ctx.currentTime + 0.01;
      for (const tone of PATTERNS[cue]) {
        at += (tone.gapMs ?? 20) / 1000;
        const osc = ctx.createOscillator();
        const gain = ctx.createGain();
        osc.type = tone.type ?? 'sine';
        osc.frequency.value = tone.hz;
        // Short ramps avoid clicks; the level stays gentle for a shop floor.
        gain.gain.setValueAtTime(0, at);
        gain.gain.linearRampToValueAtTime(0.18, at + 0.01);
        gain.gain.setValueAtTime(0.18, at + tone.ms / 1000 - 0.02);
        gain.gain.linearRampToValueAtTime(0, at + tone.ms / 1000);
        osc.connect(gain).connect(ctx.destination);
        osc.start(at);
        osc.stop(at + tone.ms / 1000 + 0.01);
        at += tone.ms / 1000;
      }
    },
    muted: () => muted,
    setMuted(next) {
      muted = next;
      storage.setItem(MUTE_KEY, next ? '1' : '0');
    },
  };
}
