/**
 * The Electron app's refusal to start: a journal that is not a database (a real file) becomes
 * one error box in the terminal's language, naming the file, instead of a window that never opens.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openJournal } from '../../src-main/journal/db.ts';
import { startFailureBox, startLanguage } from '../../src-main/electron/start-failure.ts';
import { tempDir } from '../helpers/terminal.ts';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.remove());

function openFailure(): unknown {
  const path = join(dir.path, 'journal.db');
  writeFileSync(path, 'not a database at all, '.repeat(300));
  try {
    openJournal(path).close();
  } catch (error) {
    return error;
  }
  throw new Error('a garbage journal opened');
}

describe('the start-failure box', () => {
  it('names the damaged journal in Chinese by default and in English when the terminal is set to English', () => {
    const error = openFailure();
    expect(startFailureBox(error, startLanguage({}, undefined))).toMatchObject({
      type: 'error',
      title: '收银终端无法启动',
      message: expect.stringContaining(`${join(dir.path, 'journal.db')} 不是有效的交易日志数据库或已损坏`) as unknown,
    });
    expect(startFailureBox(error, startLanguage({}, 'en'))?.message).toMatch(/is not a journal database or is damaged.*No money was moved/);
    expect(startLanguage({ GCTERM_LANG: 'en-US' }, 'zh-CN')).toBe('en');
  });

  it('leaves other start errors to the log (no box claiming a journal problem)', () => {
    expect(startFailureBox(new Error('renderer missing'), 'en')).toBeNull();
  });
});
