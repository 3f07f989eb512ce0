/**
 * `gcterm people list | add | rename | disable | enable | set-pin`: the Settings screen's people,
 * for installers and scripts. Every command needs a manager's PIN (--manager-pin, or typed at a
 * prompt on a terminal); a new PIN comes from --pin or a prompt. Same rules, same journal as the UI.
 */
import { Argument, Option, type Command } from 'commander';
import type { ErrorView, PersonView } from '../../shared/contract.ts';
import type { Result } from '../../shared/result.ts';
import { createAuth, ensurePeople } from '../core/auth.ts';
import { addPerson, peopleViews, resetPin, updatePerson, type PeopleDeps } from '../core/people.ts';
import type { Terminal } from '../terminal.ts';
import type { Translator } from './i18n.ts';
import type { RegisterCommand } from './io.ts';
import { cliManager, promptHidden } from './manager.ts';
import { EXIT, globals, refuse, withTerminal } from './terminal-commands.ts';

type ManagerOption = Readonly<{ managerPin?: string }>;
const say = (tr: Translator, zh: string, en: string): string => (tr.language === 'en' ? en : zh);

function roleText(tr: Translator, role: PersonView['role']): string {
  return role === 'manager' ? say(tr, '店长', 'manager') : say(tr, '收银员', 'cashier');
}

export const registerPeopleCommands: RegisterCommand = (program, io) => {
  const people = program.command('people').description('cashiers and managers, their PINs (manager) / 人员与 PIN 码（需店长）');

  /** Runs `fn` for a manager; prints the people afterwards (or the refusal). */
  const asManager = (command: Command, local: ManagerOption, what: string, fn: (deps: PeopleDeps, manager: string, tr: Translator) => Promise<Result<readonly PersonView[], ErrorView>>) => {
    const options = globals(command);
    return withTerminal(io, options, async (terminal: Terminal, tr) => {
      const manager = await cliManager(terminal, local.managerPin, `people ${what}`, tr.language);
      if (!manager.ok) return refuse(io, tr, options.json, manager.error.reason, EXIT.error);
      await ensurePeople(terminal.db, terminal.config.settings.people);
      const deps: PeopleDeps = {
        db: terminal.db,
        auth: createAuth({ db: terminal.db, terminalId: terminal.config.settings.terminalId }),
        terminalId: () => terminal.config.settings.terminalId,
      };
      const result = await fn(deps, manager.value.name, tr);
      if (!result.ok) return refuse(io, tr, options.json, result.error.reason, EXIT.error);
      if (options.json) io.out(JSON.stringify(result.value));
      else
        for (const p of result.value) {
          io.out(`${p.active ? ' ' : '✗'} ${p.name}  ${roleText(tr, p.role)}${p.active ? '' : `  (${say(tr, '已停用', 'disabled')})`}`);
        }
    });
  };

  const newPin = async (given: string | undefined, tr: Translator): Promise<string> =>
    given ?? (await promptHidden(say(tr, '新 PIN 码：', 'New PIN: '))) ?? '';

  const managerPin = () => new Option('--manager-pin <pin>', "a manager's PIN, for scripts (asked for on a terminal otherwise)");

  people
    .command('list')
    .description('list people / 列出人员')
    .addOption(managerPin())
    .action((local: ManagerOption, command: Command) => asManager(command, local, 'list', async (deps) => ({ ok: true, value: peopleViews(deps.db) })));

  people
    .command('add')
    .description('add a cashier or a manager / 添加人员')
    .argument('<name>', 'the name shown on receipts and in the journal')
    .addOption(new Option('--role <role>', 'cashier or manager').choices(['cashier', 'manager']).default('cashier'))
    .option('--pin <pin>', 'their PIN, 4–8 digits (asked for on a terminal otherwise)')
    .addOption(managerPin())
    .action((name: string, local: ManagerOption & { role: 'cashier' | 'manager'; pin?: string }, command: Command) =>
      asManager(command, local, 'add', async (deps, manager, tr) => addPerson(deps, manager, name, local.role, await newPin(local.pin, tr))),
    );

  people
    .command('rename')
    .description('rename someone / 修改姓名')
    .argument('<name>')
    .argument('<new-name>')
    .addOption(managerPin())
    .action((name: string, next: string, local: ManagerOption, command: Command) =>
      asManager(command, local, 'rename', (deps, manager) => updatePerson(deps, manager, name, { rename: next })),
    );

  people
    .command('role')
    .description('make someone a cashier or a manager / 修改角色')
    .argument('<name>')
    .addArgument(new Argument('<role>', 'cashier or manager').choices(['cashier', 'manager']))
    .addOption(managerPin())
    .action((name: string, role: 'cashier' | 'manager', local: ManagerOption, command: Command) =>
      asManager(command, local, 'role', (deps, manager) => updatePerson(deps, manager, name, { role })),
    );

  people
    .command('disable')
    .description('disable someone: their PIN stops working / 停用人员')
    .argument('<name>')
    .addOption(managerPin())
    .action((name: string, local: ManagerOption, command: Command) =>
      asManager(command, local, 'disable', (deps, manager) => updatePerson(deps, manager, name, { active: false })),
    );

  people
    .command('enable')
    .description('enable someone again / 重新启用人员')
    .argument('<name>')
    .addOption(managerPin())
    .action((name: string, local: ManagerOption, command: Command) =>
      asManager(command, local, 'enable', (deps, manager) => updatePerson(deps, manager, name, { active: true })),
    );

  people
    .command('set-pin')
    .description("set someone's PIN (a manager resets it) / 重设 PIN 码")
    .argument('<name>')
    .option('--pin <pin>', 'the new PIN, 4–8 digits (asked for on a terminal otherwise)')
    .addOption(managerPin())
    .action((name: string, local: ManagerOption & { pin?: string }, command: Command) =>
      asManager(command, local, 'set-pin', async (deps, manager, tr) => resetPin(deps, manager, name, await newPin(local.pin, tr))),
    );
};
