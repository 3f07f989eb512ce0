/**
 * The CLI asks for the same authority as the UI: a manager's PIN for void, review actions and
 * settings that touch money or credentials. From `--manager-pin` (scripts) or typed at a prompt
 * on a terminal (not echoed); refused otherwise. The PIN goes through the same lockout and
 * journal as the counter's PIN pad. GCTERM_CASHIER names nobody's authority.
 */
import type { ErrorView } from '../../shared/contract.ts';
import { err, type Result } from '../../shared/result.ts';
import { createAuth, ensurePeople, type Person } from '../core/auth.ts';
import type { Terminal } from '../terminal.ts';

/** Reads a line from the terminal without echoing it; null when stdin is not a terminal. */
export async function promptHidden(question: string): Promise<string | null> {
  const stdin = process.stdin;
  if (!stdin.isTTY || !process.stderr.isTTY) return null;
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolve) => {
    let typed = '';
    const done = (value: string | null) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done(typed);
        if (ch === '\u0003' || ch === '\u0004') return done(null); // Ctrl+C / Ctrl+D
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** The manager approving a CLI command, checked like the UI's manager PIN. */
export async function cliManager(
  terminal: Terminal,
  managerPin: string | undefined,
  screen: string,
  language: 'zh-CN' | 'en',
): Promise<Result<Person, ErrorView>> {
  const pin = managerPin ?? (await promptHidden(language === 'en' ? 'Manager PIN: ' : '店长 PIN 码：'));
  if (pin === null || pin === '') return err({ reason: 'manager_required' });
  if (!/^\d{4,12}$/.test(pin)) return err({ reason: 'pin_wrong' });
  await ensurePeople(terminal.db, terminal.config.settings.people);
  const auth = createAuth({ db: terminal.db, terminalId: terminal.config.settings.terminalId });
  return auth.manager(pin, `cli ${screen}`);
}
