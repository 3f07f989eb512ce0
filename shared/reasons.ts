/**
 * Reason codes: why a redemption was declined, held for review, or refused as input. Every code
 * has a cashier-readable message in both languages (MESSAGES); the UI and the CLI show those,
 * the journal stores the code.
 */
export const REASON_CODES = [
  // bad input (nothing sent, nothing deducted)
  'amount_empty',
  'amount_format',
  'amount_too_many_decimals',
  'amount_zero',
  'amount_too_large',
  'code_invalid',
  'code_payment',
  'code_product',
  'dynamic_code_replay',
  // the card
  'card_unknown',
  'card_consumed',
  'card_gifting',
  'card_deleted',
  'card_expired',
  'card_not_yet_valid',
  'card_unavailable',
  'card_cannot_consume',
  'card_definition_unusable',
  'card_wrong_type',
  'card_other_merchant',
  'card_other_location',
  'card_not_allowed',
  'insufficient_balance',
  'voucher_whole_only',
  'card_busy',
  'card_held',
  'hub_refused',
  'card_id_required',
  // the service
  'network_unavailable',
  'service_busy',
  'quota_reached',
  'rate_limited',
  'not_authorised',
  'no_balance_permission',
  'token_failed',
  'bad_answer',
  'api_error',
  // outcomes
  'interrupted',
  'outcome_unknown',
  'balance_conflict',
  'unexpected_result',
  'review_write_may_have_landed',
  'journal_unavailable',
  // void
  'void_not_settled',
  'void_not_today',
  'void_card_moved',
  'void_consumed',
  // offline
  'offline_cap_per_redemption',
  'offline_cap_per_card',
  'offline_cap_exposure',
  'offline_unknown_card',
  'offline_dynamic_refused',
  'offline_static_on_dynamic_card',
  'offline_queue_too_old',
  'offline_insufficient_cached_balance',
  // people
  'pin_wrong',
  'pin_locked',
  'pin_format',
  'pin_too_simple',
  'pin_unavailable',
  'pin_default_live',
  'person_name_invalid',
  'person_name_taken',
  'person_unknown',
  'person_last_manager',
  'person_self',
  'setup_unreachable',
  'setup_credentials',
  'setup_card_unknown',
  'manager_required',
  'signed_out',
  'not_found',
  'invalid_request',
  'internal_error',
] as const;

export type ReasonCode = (typeof REASON_CODES)[number];

/** The reason shown for each way a typed amount can be refused (shared/money.ts). */
export const AMOUNT_REASONS = {
  empty: 'amount_empty',
  format: 'amount_format',
  too_many_decimals: 'amount_too_many_decimals',
  zero: 'amount_zero',
  too_large: 'amount_too_large',
} as const satisfies Readonly<Record<string, ReasonCode>>;

export const isReasonCode = (value: unknown): value is ReasonCode =>
  typeof value === 'string' && (REASON_CODES as readonly string[]).includes(value);
