/** Display helpers: dates and times in the UI language. Money goes through shared/money.ts only. */
import type { Language } from '../shared/i18n/reasons.ts';

const locale = (language: Language): string => (language === 'en' ? 'en-GB' : 'zh-CN');

export const formatTime = (ms: number, language: Language): string =>
  new Intl.DateTimeFormat(locale(language), { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }).format(ms);

export const formatShortTime = (ms: number, language: Language): string =>
  new Intl.DateTimeFormat(locale(language), { hour: '2-digit', minute: '2-digit', hour12: false }).format(ms);

export const formatDateTime = (ms: number, language: Language): string =>
  new Intl.DateTimeFormat(locale(language), {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(ms);

/** Card validity is in unix seconds. */
export const formatDaySeconds = (seconds: number, language: Language): string =>
  new Intl.DateTimeFormat(locale(language), { year: 'numeric', month: '2-digit', day: '2-digit' }).format(seconds * 1000);

/** The journal's day key ("2025-03-07") in this PC's local time, which the core shares. */
export function localDay(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number): string => n.toString().padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export const localHour = (ms: number): number => new Date(ms).getHours();
