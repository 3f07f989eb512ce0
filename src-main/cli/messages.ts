/**
 * CLI messages of issue 13 (receipts, shifts, Z-report, input errors, usage errors) in both
 * languages, merged into the translator of i18n.ts; and what decides an exit status of 1.
 */
import { CommanderError } from 'commander';
import type { Language } from '../../shared/i18n/reasons.ts';
import type { ReasonCode } from '../../shared/reasons.ts';
import { dayRange, localDate } from '../journal/redemptions.ts';

export const MORE_MESSAGES: Readonly<Record<Language, Readonly<Record<string, string>>>> = {
  'zh-CN': {
    invalidInput: '✘ 输入有误：{{reason}}',
    badDate: '日期无效：“{{date}}”（应为 YYYY-MM-DD 格式的真实日期，例如 2026-03-15）',
    badRange: '日期范围无效：开始日期 {{from}} 晚于结束日期 {{to}}',
    badLang: '不支持的语言：“{{lang}}”（可用：zh-CN、en） / unsupported language "{{lang}}" (use zh-CN or en)',
    unknownCommand: '未知命令：“{{command}}”。运行 gcterm --help 查看全部命令。',
    unknownOption: '未知选项：{{option}}。运行 gcterm --help 查看用法。',
    missingArgument: '缺少参数：{{argument}}。运行 gcterm help {{command}} 查看用法。',
    excessArguments: '参数过多。运行 gcterm help {{command}} 查看用法。',
    optionMissingArgument: '选项 {{option}} 需要一个值。',
    invalidArgument: '参数无效：{{detail}}',
    usage: '用法错误：{{detail}}',
    printed: '✔ 小票已打印（{{printer}}）',
    notPrinted: '✘ 小票未打印（{{printer}}）：{{condition}}',
    noPrinter: '未配置打印机：用 --printer tcp://主机:9100 指定，或在设置中配置（GCTERM_PRINTER）',
    noReceipt: '此交易没有小票（状态：{{state}}）',
    notFound: '找不到交易 {{id}}',
    previewWritten: '小票预览已保存：{{file}}',
    shiftOpened: '✔ 班次 #{{id}} 已开班：{{cashier}}，{{at}}',
    shiftNone: '{{cashier}} 没有未交班的班次',
    shiftClosed: '✔ 班次 #{{id}} 已交班：{{cashier}}',
    zTaken: '✔ Z 报表 Z{{number}}（{{date}}）已生成',
    zReprint: 'Z 报表 Z{{number}}（{{date}}）此前已生成：这是重印',
    pdfWritten: 'PDF 已保存：{{file}}',
    noCjkFont: '本机没有中文字体（请安装 fonts-wqy-microhei 或设置 GCTERM_CJK_FONT）：PDF 以英文生成',
    'condition.ok': '正常',
    'condition.paper_near_end': '纸将用完',
    'condition.paper_out': '缺纸',
    'condition.cover_open': '纸仓盖未关',
    'condition.printer_error': '打印机故障',
    'condition.offline': '打印机离线',
    'condition.garbage': '设备应答无法识别（不是 ESC/POS 打印机或端口不对）',
    'condition.no_answer': '打印机未回应状态查询',
    'condition.unreachable': '无法连接打印机',
    simAddress: '  模拟器：{{url}}（沙箱 WeChat 卡券接口）',
  },
  en: {
    invalidInput: '✘ Invalid input: {{reason}}',
    badDate: 'Invalid date "{{date}}" (expected a real date as YYYY-MM-DD, e.g. 2026-03-15)',
    badRange: 'Invalid date range: {{from}} is after {{to}}',
    badLang: 'unsupported language "{{lang}}" (use zh-CN or en) / 不支持的语言：“{{lang}}”（可用：zh-CN、en）',
    unknownCommand: 'Unknown command "{{command}}". Run gcterm --help for the list.',
    unknownOption: 'Unknown option {{option}}. Run gcterm --help for the usage.',
    missingArgument: 'Missing argument: {{argument}}. Run gcterm help {{command}} for the usage.',
    excessArguments: 'Too many arguments. Run gcterm help {{command}} for the usage.',
    optionMissingArgument: 'Option {{option}} needs a value.',
    invalidArgument: 'Invalid argument: {{detail}}',
    usage: 'Usage error: {{detail}}',
    printed: '✔ Receipt printed ({{printer}})',
    notPrinted: '✘ Receipt not printed ({{printer}}): {{condition}}',
    noPrinter: 'No printer configured: give --printer tcp://host:9100 or set one in Settings (GCTERM_PRINTER)',
    noReceipt: 'This redemption has no receipt (state: {{state}})',
    notFound: 'No redemption {{id}}',
    previewWritten: 'Receipt preview written: {{file}}',
    shiftOpened: '✔ Shift #{{id}} open: {{cashier}}, {{at}}',
    shiftNone: '{{cashier}} has no open shift',
    shiftClosed: '✔ Shift #{{id}} closed: {{cashier}}',
    zTaken: '✔ Z-report Z{{number}} ({{date}}) taken',
    zReprint: 'Z-report Z{{number}} ({{date}}) was taken before: this is a reprint',
    pdfWritten: 'PDF written: {{file}}',
    noCjkFont: 'No Chinese font on this computer (install fonts-wqy-microhei or set GCTERM_CJK_FONT): the PDF is in English',
    'condition.ok': 'ready',
    'condition.paper_near_end': 'paper running low',
    'condition.paper_out': 'out of paper',
    'condition.cover_open': 'cover open',
    'condition.printer_error': 'printer error',
    'condition.offline': 'printer offline',
    'condition.garbage': 'the device answered something that is not a printer status (wrong port or device)',
    'condition.no_answer': 'the printer did not answer its status',
    'condition.unreachable': 'cannot reach the printer',
    simAddress: '  simulator: {{url}} (sandbox WeChat card API)',
  },
};

/** Refusals that are the caller's input, not the card's or WeChat's answer: exit 1, never "declined". */
const INPUT_REASONS: ReadonlySet<ReasonCode> = new Set<ReasonCode>([
  'amount_empty',
  'amount_format',
  'amount_too_many_decimals',
  'amount_zero',
  'amount_too_large',
  'code_invalid',
  'code_payment',
  'code_product',
  'invalid_request',
  'not_found',
]);

export const isInputReason = (reason: ReasonCode): boolean => INPUT_REASONS.has(reason);

/** A real calendar day as YYYY-MM-DD (2026-13-45 and 2024-02-30 are not). */
export const isDay = (text: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(text) && localDate(dayRange(text).fromMs) === text;

/** The language of messages before a terminal is open: --lang in argv, else GCTERM_LANG. */
export function earlyLanguage(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Language {
  const index = argv.findIndex((arg) => arg === '--lang' || arg.startsWith('--lang='));
  const flag = index < 0 ? undefined : argv[index]?.includes('=') ? argv[index]?.split('=')[1] : argv[index + 1];
  for (const candidate of [flag, env.GCTERM_LANG]) {
    if (candidate?.toLowerCase().startsWith('en')) return 'en';
    if (candidate?.toLowerCase().startsWith('zh')) return 'zh-CN';
  }
  return 'zh-CN';
}

/** --lang accepts zh-CN, en and their usual spellings (zh, zh_CN, en-US…); anything else is refused. */
export const isLanguageTag = (tag: string): boolean => /^(zh([-_](cn|hans)([-_.].*)?)?|en([-_][a-z]{2}([-_.].*)?)?)$/i.test(tag);

/** commander's usage errors, in the user's language (commander's own text is English only). */
export function usageMessage(error: CommanderError, language: Language, command: string): string {
  const t = MORE_MESSAGES[language];
  const fill = (template: string | undefined, values: Readonly<Record<string, string>>) =>
    (template ?? '').replace(/\{\{(\w+)\}\}/g, (_, key: string) => values[key] ?? '');
  const quoted = /'([^']*)'/.exec(error.message)?.[1] ?? '';
  switch (error.code) {
    case 'commander.unknownCommand':
      return fill(t.unknownCommand, { command: quoted });
    case 'commander.unknownOption':
      return fill(t.unknownOption, { option: quoted });
    case 'commander.missingArgument':
      return fill(t.missingArgument, { argument: quoted, command });
    case 'commander.excessArguments':
      return fill(t.excessArguments, { command });
    case 'commander.optionMissingArgument':
      return fill(t.optionMissingArgument, { option: quoted.split(' ')[0] ?? quoted });
    case 'commander.invalidArgument':
      return fill(t.invalidArgument, { detail: error.message.replace(/^error: /, '') });
    default:
      return fill(t.usage, { detail: error.message.replace(/^error: /, '') });
  }
}

/** `gcterm decode`'s reasons (English from the decoder) in the user's language. */
export function describeDecodeFailure(reason: string, language: Language): string {
  if (language === 'en') return reason;
  const known: ReadonlyArray<readonly [RegExp, string]> = [
    [/^no such file$/, '文件不存在'],
    [/^not a PNG or JPEG image$/, '不是 PNG 或 JPEG 图片'],
    [/^no .* code found$/, '未识别到条码'],
    [/^unreadable image/, '图片无法读取'],
    [/^cannot read file/, '文件无法读取'],
    [/^decoder failed/, '解码失败'],
  ];
  const match = known.find(([pattern]) => pattern.test(reason));
  return match ? `${match[1]}${match[1] === '未识别到条码' || match[1] === '文件不存在' || match[1] === '不是 PNG 或 JPEG 图片' ? '' : `（${reason}）`}` : reason;
}

/** Messages of `gcterm sim` and `gcterm decode` (they run without a terminal, so no i18next). */
export const TOOL_MESSAGES: Readonly<Record<Language, Readonly<Record<string, string>>>> = {
  'zh-CN': {
    roi: '--roi 应为图片中的比例 x,y,宽,高，例如 0.2,0.2,0.6,0.6',
    simTitle: 'gcterm 微信卡券接口模拟器 — 沙箱 / SANDBOX',
    simDatabase: '  数据库：  {{database}}',
    simInMemory: '仅在内存中（--memory）：退出后全部丢失',
    simSecret: '  secret：  {{secret}}',
    simCodes: '  演示卡券（当前余额）：',
    simNoBalance: '无余额',
    simAdmin: '  管理接口：{{url}}/sim/（cards、codes、clock、faults、requests、token-relay）',
    simStop: '按 Ctrl+C 停止。',
    simStopping: '{{signal}}：正在停止模拟器',
    simStopped: '模拟器已停止',
    simPort: '--port 应为 0 到 65535 的数字，而不是“{{port}}”',
    simExclusive: '--memory 与 --db 不能同时使用',
    simFailed: '模拟器无法启动：{{message}}',
    sandboxCredential: '沙箱凭据',
    hidden: '已隐藏',
  },
  en: {
    roi: '--roi must be x,y,width,height as fractions of the image, like 0.2,0.2,0.6,0.6',
    simTitle: 'gcterm WeChat card API simulator — SANDBOX / 沙箱',
    simDatabase: '  database:  {{database}}',
    simInMemory: 'in memory (--memory): everything is lost on exit',
    simSecret: '  secret:    {{secret}}',
    simCodes: '  demo codes (current balance):',
    simNoBalance: 'no balance',
    simAdmin: '  admin API: {{url}}/sim/ (cards, codes, clock, faults, requests, token-relay)',
    simStop: 'Press Ctrl+C to stop.',
    simStopping: '{{signal}}: stopping the simulator',
    simStopped: 'simulator stopped',
    simPort: '--port must be a number from 0 to 65535, not "{{port}}"',
    simExclusive: '--memory and --db exclude each other',
    simFailed: 'simulator could not start: {{message}}',
    sandboxCredential: 'sandbox credential',
    hidden: 'hidden',
  },
};

/** A TOOL_MESSAGES text with its {{slots}} filled. */
export function say(language: Language, key: string, values: Readonly<Record<string, string | number>> = {}): string {
  return (TOOL_MESSAGES[language][key] ?? key).replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(values[name] ?? ''));
}
