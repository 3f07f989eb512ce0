/**
 * i18next set up with two namespaces: `ui` (this folder) and `reasons` (shared/i18n/reasons.ts,
 * the same messages the CLI prints). zh-CN is the default; the language is the core's setting,
 * switched at runtime through `language:set`.
 */
import i18next, { type TFunction } from 'i18next';
import { initReactI18next } from 'react-i18next';
import type { ErrorView, RedemptionView } from '../../shared/contract.ts';
import { DEFAULT_LANGUAGE, REASON_MESSAGES, type Language } from '../../shared/i18n/reasons.ts';
import { detailParams } from '../../shared/detail-params.ts';
import { isReasonCode } from '../../shared/reasons.ts';
import { formatYuan } from '../../shared/money.ts';
import { en } from './en.ts';
import { zhCN } from './zh-CN.ts';

export async function initI18n(language: Language = DEFAULT_LANGUAGE): Promise<void> {
  await i18next.use(initReactI18next).init({
    lng: language,
    fallbackLng: DEFAULT_LANGUAGE,
    ns: ['ui', 'reasons'],
    defaultNS: 'ui',
    resources: {
      'zh-CN': { ui: zhCN, reasons: REASON_MESSAGES['zh-CN'] },
      en: { ui: en, reasons: REASON_MESSAGES.en },
    },
    // React escapes output already. A slot with no value shows as nothing, never as "{{limit}}".
    interpolation: { escapeValue: false },
    missingInterpolationHandler: () => '',
  });
  document.documentElement.lang = language;
}

export async function changeLanguage(language: Language): Promise<void> {
  await i18next.changeLanguage(language);
  document.documentElement.lang = language;
}

/** Money parameters (limits) arrive as fen; they are shown as ¥ like every other amount. */
const MONEY_PARAMS = new Set(['limit', 'amount', 'amountFen', 'balanceFen']);

/** The cashier-readable message for an error, in the current language. */
export function reasonText(t: TFunction, error: ErrorView): string {
  if (!isReasonCode(error.reason)) return t('ui:error.unknown');
  const params: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(error.params ?? {})) {
    params[key] = typeof value === 'number' && MONEY_PARAMS.has(key) ? formatYuan(value) : value;
  }
  return t(`reasons:${error.reason}`, params);
}

/**
 * Why a journaled redemption ended as it did. The journal keeps a refusal's parameters (the
 * offline limit it hit) as JSON in `detail`; they fill the message's slots when present.
 */
export function redemptionReasonText(t: TFunction, redemption: Pick<RedemptionView, 'reason' | 'detail'>): string | null {
  if (!redemption.reason) return null;
  return reasonText(t, { reason: redemption.reason, params: detailParams(redemption.detail) });
}

