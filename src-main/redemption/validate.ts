/**
 * Whether a looked-up card may be redeemed here, for how much. Pure: the engine, the offline
 * rules and the UI's card panel all decide with this one function.
 */
import type { ReasonCode } from '../../shared/reasons.ts';
import { CARD_STATUSES_USABLE, PERMANENT_END_TIME, type CardDefinition, type CodeGetAnswer } from '../wechat/schemas.ts';

export type TerminalScope = Readonly<{
  locationId: string | null;
  merchantId: string | null;
  allowedCardIds: readonly string[];
}>;

const STATUS_REASONS: Readonly<Record<string, ReasonCode>> = {
  CONSUMED: 'card_consumed',
  EXPIRE: 'card_expired',
  GIFTING: 'card_gifting',
  GIFT_TIMEOUT: 'card_unavailable',
  DELETE: 'card_deleted',
  UNAVAILABLE: 'card_unavailable',
};

/**
 * Why a card in this `user_card_status` cannot be redeemed; null for NORMAL. One mapping for the
 * online check and the offline rules (which read the status cached from the last lookup): a
 * status this code does not know is refused as unavailable, never taken as usable.
 */
export function userCardStatusReason(status: string): ReasonCode | null {
  if (status === 'NORMAL') return null;
  return STATUS_REASONS[status] ?? 'card_unavailable';
}

/** Whether a card's `end_time` (unix seconds; 0 or PERMANENT_END_TIME: no end) has passed. */
export function isExpired(endTime: number, nowSeconds: number): boolean {
  return endTime !== 0 && endTime < PERMANENT_END_TIME && endTime < nowSeconds;
}

/** A card's end as shown to people: unix seconds, or null when it has none. */
export function cardEndTime(endTime: number): number | null {
  return endTime === 0 || endTime >= PERMANENT_END_TIME ? null : endTime;
}

export type SubCardType = 'GIFT_CARD' | 'VOUCHER';

export function subCardTypeOf(definition: CardDefinition): SubCardType | null {
  if (definition.cardType !== 'GENERAL_CARD') return null;
  if (definition.subCardType === 'GIFT_CARD' || definition.subCardType === 'VOUCHER') return definition.subCardType;
  return null;
}

/** Everything that stops this card being redeemed here, most important first; empty when it can be. */
export function cardProblems(
  answer: CodeGetAnswer,
  definition: CardDefinition,
  scope: TerminalScope,
  nowSeconds: number,
): ReasonCode[] {
  const problems: ReasonCode[] = [];
  const statusReason = userCardStatusReason(answer.user_card_status);
  if (statusReason) problems.push(statusReason);
  if (answer.card.begin_time > nowSeconds) problems.push('card_not_yet_valid');
  if (isExpired(answer.card.end_time, nowSeconds) && !problems.includes('card_expired')) problems.push('card_expired');
  if (subCardTypeOf(definition) === null) problems.push('card_wrong_type');
  if (!(CARD_STATUSES_USABLE as readonly string[]).includes(definition.status)) problems.push('card_definition_unusable');
  if (scope.merchantId !== null && definition.merchantId !== scope.merchantId) problems.push('card_other_merchant');
  if (scope.locationId !== null && !definition.useAllLocations && !definition.locationIds.includes(scope.locationId)) {
    problems.push('card_other_location');
  }
  if (scope.allowedCardIds.length > 0 && !scope.allowedCardIds.includes(definition.cardId)) problems.push('card_not_allowed');
  if (!answer.can_consume && problems.length === 0) problems.push('card_cannot_consume');
  return problems;
}

/** Whether `amountFen` can be taken from this card (after `cardProblems` found nothing). */
export function amountProblem(subCardType: SubCardType, balanceFen: number | undefined, amountFen: number): ReasonCode | null {
  if (subCardType === 'VOUCHER') {
    // A voucher is one item: it is redeemed whole or not at all.
    return balanceFen !== undefined && balanceFen > 0 && amountFen !== balanceFen ? 'voucher_whole_only' : null;
  }
  if (balanceFen === undefined || amountFen > balanceFen) return 'insufficient_balance';
  return null;
}
