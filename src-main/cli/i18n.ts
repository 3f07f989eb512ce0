/**
 * The CLI's language: `--lang`, else GCTERM_LANG, else the terminal's setting (zh-CN by
 * default). Messages come from shared/i18n (reasons) and CLI_MESSAGES here, through i18next.
 */
import i18next, { type TFunction } from 'i18next';
import { DEFAULT_LANGUAGE, LANGUAGES, REASON_MESSAGES, type Language } from '../../shared/i18n/reasons.ts';
import type { ReasonCode } from '../../shared/reasons.ts';
import { MORE_MESSAGES } from './messages.ts';

export const CLI_MESSAGES: Readonly<Record<Language, Readonly<Record<string, string>>>> = {
  'zh-CN': {
    'state.pending': '处理中',
    'state.queued': '离线已受理，待上传',
    'state.deducting': '扣款结果待核对',
    'state.consuming': '已扣款，待核销',
    'state.voiding': '撤销中',
    'state.settled': '成功',
    'state.declined': '拒绝',
    'state.needs_review': '待人工核对',
    'state.voided': '已撤销',
    'state.written_off': '已核销损失',
    'state.collected_other': '已用其他方式收款',
    approved: '✔ 扣款成功 {{amount}}，余额 {{balance}}',
    approvedVoucher: '✔ 兑换券已核销',
    queued: '◷ 离线受理 {{amount}}：网络恢复后自动上传（不是扣款成功）',
    declined: '✘ 拒绝：{{reason}}',
    review: '⚠ 待人工核对：{{reason}}',
    unknown: '? {{reason}}',
    voided: '↺ 已撤销 {{amount}}，余额恢复为 {{balance}}',
    card: '卡券 {{title}}  {{code}}',
    balance: '余额 {{balance}}',
    status: '状态 {{status}}',
    validity: '有效期 {{from}} 至 {{to}}',
    permanent: '长期有效',
    type: '类型 {{type}}',
    canRedeem: '可在本店使用',
    cannotRedeem: '不能在本店使用：{{reason}}',
    id: '交易号 {{id}}',
    chainOk: '✔ 日志校验通过（{{count}} 条记录）',
    chainBroken: '✘ 日志校验失败：{{problem}}',
    chainHead: '链头：第 {{seq}} 条 sha256 {{hash}}',
    journalFailed: '✘ 交易日志无法写入（{{reason}}，{{code}}）：结果尚不确定，请勿重试。排除故障后运行 gcterm recover。',
    'journalFailure.disk_full': '磁盘已满',
    'journalFailure.read_only': '只读或无写入权限',
    'journalFailure.corrupt': '数据库损坏',
    'journalFailure.not_a_directory': '数据目录不可用',
    'journalFailure.busy': '被其他程序锁定',
    'journalFailure.too_new': '版本过新',
    'journalFailure.io': '磁盘读写错误',
    recovered: '已恢复 {{count}} 笔未完成交易',
    leftToOwner: '  {{id}} 正由 {{holder}} 处理，未触碰',
    noRows: '没有记录',
    error: '错误：{{message}}',
    replayDone: '上传完成：成功 {{settled}} 笔，待人工核对 {{review}} 笔，仍在队列 {{remaining}} 笔',
    replayStopped: '网络仍不可用，已暂停上传',
    online: '在线',
    offline: '离线',
    statusLine: '{{mode}}  {{api}}  队列 {{depth}} 笔，共 {{amount}}{{oldest}}',
    oldest: '，最早 {{age}} 前',
  },
  en: {
    'state.pending': 'processing',
    'state.queued': 'accepted offline, to be sent',
    'state.deducting': 'outcome being checked',
    'state.consuming': 'deducted, retiring the card',
    'state.voiding': 'voiding',
    'state.settled': 'approved',
    'state.declined': 'declined',
    'state.needs_review': 'needs review',
    'state.voided': 'voided',
    'state.written_off': 'written off',
    'state.collected_other': 'collected another way',
    approved: '✔ APPROVED {{amount}}, balance {{balance}}',
    approvedVoucher: '✔ Voucher redeemed',
    queued: '◷ Queued offline {{amount}}: sent when the network is back (not yet approved)',
    declined: '✘ DECLINED: {{reason}}',
    review: '⚠ NEEDS REVIEW: {{reason}}',
    unknown: '? {{reason}}',
    voided: '↺ Voided {{amount}}, balance restored to {{balance}}',
    card: 'Card {{title}}  {{code}}',
    balance: 'Balance {{balance}}',
    status: 'Status {{status}}',
    validity: 'Valid {{from}} to {{to}}',
    permanent: 'No expiry',
    type: 'Type {{type}}',
    canRedeem: 'Can be redeemed here',
    cannotRedeem: 'Cannot be redeemed here: {{reason}}',
    id: 'Redemption {{id}}',
    chainOk: '✔ Journal chain verified ({{count}} events)',
    chainBroken: '✘ Journal chain broken: {{problem}}',
    chainHead: 'head: seq {{seq}} sha256 {{hash}}',
    journalFailed: '✘ The journal cannot be written ({{reason}}, {{code}}): the outcome is not known yet, do not retry. Fix the disk, then run gcterm recover.',
    'journalFailure.disk_full': 'disk full',
    'journalFailure.read_only': 'read-only or not writable',
    'journalFailure.corrupt': 'database damaged',
    'journalFailure.not_a_directory': 'data directory unusable',
    'journalFailure.busy': 'locked by another program',
    'journalFailure.too_new': 'too new',
    'journalFailure.io': 'disk I/O error',
    recovered: 'Recovered {{count}} unfinished redemption(s)',
    leftToOwner: '  {{id}} is being worked on by {{holder}}: left alone',
    noRows: 'No redemptions',
    error: 'Error: {{message}}',
    replayDone: 'Replay done: {{settled}} settled, {{review}} need review, {{remaining}} still queued',
    replayStopped: 'The API is still unreachable: replay paused',
    online: 'ONLINE',
    offline: 'OFFLINE',
    statusLine: '{{mode}}  {{api}}  queue {{depth}} item(s), {{amount}} in total{{oldest}}',
    oldest: ', oldest {{age}} ago',
  },
};

export function pickLanguage(flag: string | undefined, env: Readonly<Record<string, string | undefined>>, setting?: Language): Language {
  for (const candidate of [flag, env.GCTERM_LANG, setting]) {
    if (candidate && (LANGUAGES as readonly string[]).includes(candidate)) return candidate as Language;
    if (candidate?.toLowerCase().startsWith('en')) return 'en';
    if (candidate?.toLowerCase().startsWith('zh')) return 'zh-CN';
  }
  return DEFAULT_LANGUAGE;
}

export type Translator = Readonly<{ t: TFunction; reason(code: ReasonCode, params?: Readonly<Record<string, string | number>>): string; language: Language }>;

export async function createTranslator(language: Language): Promise<Translator> {
  const instance = i18next.createInstance();
  await instance.init({
    lng: language,
    fallbackLng: 'en',
    interpolation: { escapeValue: false },
    // i18next otherwise prints a sponsor notice to stdout, which would corrupt --json output.
    showSupportNotice: false,
    resources: Object.fromEntries(
      LANGUAGES.map((lng) => [lng, { translation: { ...CLI_MESSAGES[lng], ...MORE_MESSAGES[lng], reason: REASON_MESSAGES[lng] } }]),
    ),
  });
  return {
    t: instance.t.bind(instance),
    reason: (code, params) => instance.t(`reason.${code}`, { ...params }),
    language,
  };
}
