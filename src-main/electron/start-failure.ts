/**
 * What the Electron app shows when it cannot start because its journal cannot be opened (disk
 * full, read-only data directory, a file that is not a journal): one error box in the terminal's
 * language instead of a window that never appears. Nothing was sent when this is shown.
 */
import { DEFAULT_LANGUAGE, type Language } from '../../shared/i18n/reasons.ts';
import { describeOpenFailure } from '../../shared/i18n/journal.ts';
import { SqliteOpenError } from '../sqlite.ts';

const TITLE: Readonly<Record<Language, string>> = { 'zh-CN': '收银终端无法启动', en: 'The terminal cannot start' };

/** GCTERM_LANG, else the saved setting, else zh-CN. */
export function startLanguage(env: Readonly<Record<string, string | undefined>>, setting: unknown): Language {
  for (const candidate of [env.GCTERM_LANG, typeof setting === 'string' ? setting : undefined]) {
    if (candidate?.toLowerCase().startsWith('en')) return 'en';
    if (candidate?.toLowerCase().startsWith('zh')) return 'zh-CN';
  }
  return DEFAULT_LANGUAGE;
}

/** The message box options for `dialog.showMessageBoxSync`, or null for an error that is not a refusal to start. */
export function startFailureBox(error: unknown, language: Language): Readonly<{ type: 'error'; title: string; message: string; buttons: string[] }> | null {
  if (!(error instanceof SqliteOpenError)) return null;
  return {
    type: 'error',
    title: TITLE[language],
    message: describeOpenFailure(error.reason, { path: error.path, message: error.detail }, language),
    buttons: [language === 'en' ? 'Quit' : '退出'],
  };
}
