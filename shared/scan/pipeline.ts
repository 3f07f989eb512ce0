/**
 * One scan pipeline for every scanner: serial, USB HID, keyboard wedge and camera all hand a
 * `RawScan` to `createScanPipeline`, which strips the configured prefix/suffix, validates length
 * and charset, suppresses the same text repeated within a window and classifies what is left.
 * Everything a scanner can do wrong comes out as an event value, never as a thrown error
 * (docs/architecture.md, "Bad input costs nothing").
 *
 * Pure: no node:*, no DOM. The core (src-main/scanners) and the renderer (src-renderer/scanners)
 * both run this same code, so a scan is judged the same way whichever side read it.
 */
import { classifyCode, type CodeKind } from '../codes.ts';
import { symbologyFromAimId } from './aim.ts';
import type { RawScan, ScanEvent, ScanPipelineEvent, ScanRejectReason, Symbology } from './events.ts';
import type { ScanCharset, ScanTextRules } from './settings.ts';

export type ScanPipeline<K> = {
  /** Judges one read. Never throws: a faulty classifier becomes an 'error' event. */
  process(read: RawScan): ScanPipelineEvent<K>;
  /** Forgets recent texts (e.g. when the cashier cancels and wants to scan the same card again). */
  reset(): void;
};

/** Characters a scanner adds around a code that are never part of it. */
const EDGE_NOISE = /^[\s\u0000-\u001f\u007f]+|[\s\u0000-\u001f\u007f]+$/g;

/**
 * A code without what scanners and keyboards add around it (white space, control characters,
 * DEL): the one normaliser for a scanned code, used by the pipeline and by the engine for codes
 * that reach it another way (typed, from the CLI, from the contract).
 */
export function stripEdgeNoise(text: string): string {
  return text.replace(EDGE_NOISE, '');
}

const CHARSET_PATTERNS: Readonly<Record<ScanCharset, RegExp>> = {
  digits: /^[0-9]+$/,
  alphanumeric: /^[0-9A-Za-z]+$/,
  printable: /^[\u0020-\u007e]+$/,
};

/** Strips what the rules say to strip; returns the text and any symbology found in an AIM prefix. */
export function normalizeScanText(raw: string, rules: Pick<ScanTextRules, 'prefix' | 'suffix' | 'aimPrefix'>): { text: string; symbology: Symbology | null } {
  let text = stripEdgeNoise(raw);
  let symbology: Symbology | null = null;
  if (rules.aimPrefix) {
    const found = symbologyFromAimId(text.slice(0, 3));
    if (found !== null) {
      symbology = found;
      text = text.slice(3);
    }
  }
  if (rules.prefix !== '' && text.startsWith(rules.prefix)) text = text.slice(rules.prefix.length);
  if (rules.suffix !== '' && text.endsWith(rules.suffix)) text = text.slice(0, text.length - rules.suffix.length);
  return { text: stripEdgeNoise(text), symbology };
}

/** Why a text cannot be a code under these rules, or null when it can. */
export function validateScanText(text: string, rules: Pick<ScanTextRules, 'minLength' | 'maxLength' | 'charset'>): Exclude<ScanRejectReason, 'duplicate'> | null {
  if (text === '') return 'empty';
  if (!CHARSET_PATTERNS[rules.charset].test(text)) return 'charset';
  if (text.length < rules.minLength) return 'too_short';
  if (text.length > rules.maxLength) return 'too_long';
  return null;
}

const REJECT_MESSAGES: Readonly<Record<ScanRejectReason, string>> = {
  empty: 'The scanner sent nothing readable.',
  too_short: 'Too short to be a card code; scan again.',
  too_long: 'Too long to be a card code (two codes run together?); scan again.',
  charset: 'Contains characters no card code has (check the scanner keyboard layout); scan again.',
  duplicate: 'Same code scanned again; ignored.',
};

export function rejectMessage(reason: ScanRejectReason): string {
  return REJECT_MESSAGES[reason];
}

/** Uses `classifyCode` (shared/codes.ts) to say what each accepted code is. */
export function createScanPipeline(rules: ScanTextRules): ScanPipeline<CodeKind>;
/** With a classifier of your own: `kind` on each scan event is whatever it returns. */
export function createScanPipeline<K>(rules: ScanTextRules, classify: (text: string) => K): ScanPipeline<K>;
export function createScanPipeline<K>(rules: ScanTextRules, classify?: (text: string) => K): ScanPipeline<K | CodeKind> {
  const classifier: (text: string) => K | CodeKind = classify ?? classifyCode;
  /** text → when it was last seen (accepted or suppressed). */
  const lastSeen = new Map<string, number>();

  const forgetOld = (now: number): void => {
    for (const [text, at] of lastSeen) {
      if (now - at > rules.duplicateWindowMs || at > now) lastSeen.delete(text);
    }
  };

  return {
    process(read) {
      let normalized: { text: string; symbology: Symbology | null };
      try {
        normalized = normalizeScanText(read.raw, rules);
      } catch {
        // A string operation cannot really fail, but a lone surrogate from a broken decoder must
        // still not escape as an exception.
        normalized = { text: '', symbology: null };
      }
      const { text } = normalized;
      const invalid = validateScanText(text, rules);
      if (invalid !== null) {
        return { type: 'rejected', reason: invalid, read, text, message: rejectMessage(invalid) };
      }
      forgetOld(read.at);
      const previous = lastSeen.get(text);
      lastSeen.set(text, read.at);
      if (previous !== undefined && read.at - previous <= rules.duplicateWindowMs) {
        return { type: 'rejected', reason: 'duplicate', read, text, message: rejectMessage('duplicate') };
      }
      const symbology = read.symbology ?? normalized.symbology ?? undefined;
      const scan: ScanEvent = {
        source: read.source,
        device: read.device,
        raw: read.raw,
        text,
        ...(symbology !== undefined ? { symbology } : {}),
        at: read.at,
      };
      try {
        return { type: 'scan', scan, kind: classifier(text) };
      } catch (error) {
        // The text was fine but the hook failed: let it be scanned again once fixed.
        lastSeen.delete(text);
        return {
          type: 'error',
          error: {
            source: read.source,
            device: read.device,
            code: 'classifier_failed',
            message: `Could not classify the scanned code: ${error instanceof Error ? error.message : String(error)}`,
            at: read.at,
          },
        };
      }
    },
    reset() {
      lastSeen.clear();
    },
  };
}
