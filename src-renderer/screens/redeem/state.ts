/**
 * The Redeem screen's view state as a pure reducer: scans, lookups, keys, submissions and their
 * answers go in as actions, the next state comes out. No DOM, no requests: the screen
 * (Redeem.tsx) carries out what `keyCommand` and `prepareSubmit` ask for and dispatches the
 * answers. Answers that arrive late (a lookup overtaken by the next scan) are recognised here by
 * their sequence number and dropped.
 *
 * Flow: waiting → looking → card → submitting → result; inquiry mode stops at card.
 */
import type { ApiResponses, CardView, ErrorView, RedemptionView } from '../../../shared/contract.ts';
import { maskCode, MIN_CODE_LENGTH } from '../../../shared/codes.ts';
import { formatFen } from '../../../shared/money.ts';
import type { ReasonCode } from '../../../shared/reasons.ts';
import type { ScanRejectReason } from '../../../shared/scan/events.ts';
import { checkAmount, typeAmountKey } from './amount.ts';

export type Mode = 'redeem' | 'inquiry';

/** Why the last scan or typed code was not looked up, or was refused by the lookup. */
export type ScanProblem =
  | Readonly<{ kind: 'lookup'; codeMasked: string; error: ErrorView }>
  /** The scan pipeline refused the read: `length` characters arrived (a truncated scan says so). */
  | Readonly<{ kind: 'scan'; codeMasked: string; reason: Exclude<ScanRejectReason, 'duplicate'>; length: number }>;

export type CardStep = Readonly<{
  code: string;
  codeMasked: string;
  card: CardView | null;
  /** Set when the card could not be read online (it may still be queued offline). */
  lookupProblem: ErrorView | null;
  scannedAt: number;
}>;

export type View =
  | Readonly<{ step: 'waiting'; problem: ScanProblem | null }>
  | Readonly<{ step: 'looking'; codeMasked: string }>
  | (Readonly<{ step: 'card' }> & CardStep)
  | (Readonly<{ step: 'submitting' }> & CardStep)
  | Readonly<{
      step: 'result';
      redemption: RedemptionView | null;
      refused: ErrorView | null;
      amountText: string;
      /** What the cashier collects another way after a partial redemption (0 when none). */
      shortfallFen: number;
      /** The card as it was looked up, for a declined short balance to offer the partial. */
      card: CardStep | null;
    }>;

export type RedeemState = Readonly<{
  mode: Mode;
  view: View;
  /** The amount as typed ("35.5"); parsed to fen by shared/money.ts only. */
  amount: string;
  amountError: ErrorView | null;
  /** A refused void, kept as a reason so it follows a language switch. */
  voidError: ErrorView | null;
  manualOpen: boolean;
  /** A code (or an amount, before the scan) typed at the keyboard while waiting. */
  typedCode: string;
  /** The lookup on screen: an answer carrying another number is stale. */
  lookupSeq: number;
}>;

export const INITIAL_STATE: RedeemState = {
  mode: 'redeem',
  view: { step: 'waiting', problem: null },
  amount: '',
  amountError: null,
  voidError: null,
  manualOpen: false,
  typedCode: '',
  lookupSeq: 0,
};

/**
 * Lookup failures that say nothing about the card itself: the service could not be asked. The
 * cashier may still enter an amount, and the core decides whether it can be queued offline.
 */
export const SERVICE_PROBLEMS: ReadonlySet<ReasonCode> = new Set([
  'network_unavailable',
  'service_busy',
  'quota_reached',
  'rate_limited',
  'token_failed',
  'bad_answer',
  'api_error',
]);

/** Longest text typed before a scan that is taken as the amount rather than a card code. */
const AMOUNT_BEFORE_SCAN = /^(?:\d{1,5}(?:\.\d{0,2})?|\d{1,7}\.\d{0,2})$/;

/**
 * Whether text typed while waiting is an amount (typed before the card is scanned) rather than
 * a card code: a decimal point, or fewer digits than any card code has.
 */
export function isAmountBeforeScan(typed: string): boolean {
  return AMOUNT_BEFORE_SCAN.test(typed) && (typed.includes('.') || typed.length < MIN_CODE_LENGTH);
}

export type RedeemAction =
  | Readonly<{ type: 'reset' }>
  | Readonly<{ type: 'toggleInquiry' }>
  | Readonly<{ type: 'endInquiry' }>
  | Readonly<{ type: 'manualOpen'; open: boolean }>
  /** `seq` numbers lookups (the screen counts them): only the latest one's answer is shown. */
  | Readonly<{ type: 'lookupStarted'; seq: number; code: string; at: number }>
  | Readonly<{ type: 'lookupDone'; seq: number; code: string; at: number; result: ApiResponses['card:lookup'] | null }>
  | Readonly<{ type: 'scanRejected'; text: string; reason: ScanRejectReason }>
  /** Editing keys only; Enter that submits or looks up is the screen's (see keyCommand). */
  | Readonly<{ type: 'key'; key: string }>
  | Readonly<{ type: 'amountRefused'; error: ErrorView }>
  | Readonly<{ type: 'submitStarted' }>
  | Readonly<{ type: 'submitDone'; amountText: string; shortfallFen: number; result: ApiResponses['redemption:submit'] | null }>
  /** A redemption changed in the core (a queued one settled, a check resolved). */
  | Readonly<{ type: 'redemptionChanged'; redemption: RedemptionView }>
  | Readonly<{ type: 'voidStarted' }>
  | Readonly<{ type: 'voidDone'; result: ApiResponses['redemption:void'] | null }>;

const cardOf = (view: View): CardStep | null =>
  view.step === 'card' || view.step === 'submitting'
    ? { code: view.code, codeMasked: view.codeMasked, card: view.card, lookupProblem: view.lookupProblem, scannedAt: view.scannedAt }
    : null;

/** A known card that cannot be redeemed here: no amount may be typed for it. */
export const cardUnusable = (view: View): boolean =>
  (view.step === 'card' || view.step === 'submitting') && view.card !== null && view.card.problems.length > 0;

const waitingFresh = (state: RedeemState): RedeemState => ({
  ...state,
  view: { step: 'waiting', problem: null },
  amount: '',
  amountError: null,
  voidError: null,
  typedCode: '',
});

export function redeemReducer(state: RedeemState, action: RedeemAction): RedeemState {
  switch (action.type) {
    case 'reset':
      return waitingFresh(state);
    case 'toggleInquiry':
      return { ...waitingFresh(state), mode: state.mode === 'inquiry' ? 'redeem' : 'inquiry', manualOpen: false };
    case 'endInquiry':
      return { ...waitingFresh(state), mode: 'redeem' };
    case 'manualOpen':
      return { ...state, manualOpen: action.open };
    case 'lookupStarted': {
      // An amount typed before the scan is kept as the amount (amount-then-scan).
      const typed = state.typedCode.trim();
      const amount = state.mode === 'redeem' && isAmountBeforeScan(typed) ? normaliseAmount(typed) : '';
      return {
        ...state,
        view: { step: 'looking', codeMasked: maskCode(action.code) },
        amount,
        amountError: null,
        voidError: null,
        manualOpen: false,
        typedCode: '',
        lookupSeq: action.seq,
      };
    }
    case 'lookupDone': {
      if (action.seq !== state.lookupSeq || state.view.step !== 'looking') return state;
      const codeMasked = state.view.codeMasked;
      const result = action.result;
      if (!result) return { ...state, view: { step: 'waiting', problem: null }, amount: '' };
      if (result.ok) {
        const card = result.value;
        const step: CardStep = { code: action.code, codeMasked: card.codeMasked, card, lookupProblem: null, scannedAt: action.at };
        // A voucher with a face value is redeemed whole: its amount is not the cashier's choice.
        // A card that cannot be used takes no amount at all.
        const amount =
          card.problems.length > 0 ? '' : card.subCardType === 'VOUCHER' && card.balanceFen > 0 ? formatFen(card.balanceFen) : state.amount;
        return { ...state, view: { step: 'card', ...step }, amount };
      }
      if (SERVICE_PROBLEMS.has(result.error.reason) && state.mode === 'redeem') {
        return { ...state, view: { step: 'card', code: action.code, codeMasked, card: null, lookupProblem: result.error, scannedAt: action.at } };
      }
      // A number shorter than any WeChat code that the card API does not know: most likely a scan
      // cut short. Say so, with how much arrived, rather than "invalid code".
      if (looksTruncated(action.code, result.error.reason)) {
        return { ...state, view: { step: 'waiting', problem: { kind: 'scan', codeMasked, reason: 'too_short', length: action.code.length } }, amount: '' };
      }
      return { ...state, view: { step: 'waiting', problem: { kind: 'lookup', codeMasked, error: result.error } }, amount: '' };
    }
    case 'scanRejected': {
      // The same code again within a moment is a scanner repeating itself: nothing to say.
      if (action.reason === 'duplicate' || state.view.step !== 'waiting') return state;
      return {
        ...state,
        view: { step: 'waiting', problem: { kind: 'scan', codeMasked: maskCode(action.text), reason: action.reason, length: action.text.length } },
      };
    }
    case 'key':
      return onKey(state, action.key);
    case 'amountRefused':
      return { ...state, amountError: action.error };
    case 'submitStarted': {
      const card = cardOf(state.view);
      if (!card || state.view.step !== 'card') return state;
      return { ...state, view: { step: 'submitting', ...card }, amountError: null };
    }
    case 'submitDone': {
      if (state.view.step !== 'submitting') return state;
      const card = cardOf(state.view);
      const result = action.result;
      const base = { step: 'result' as const, amountText: action.amountText, shortfallFen: action.shortfallFen, card };
      // The request may or may not have reached the core: say so, never suggest a retry.
      if (!result) return { ...state, view: { ...base, redemption: null, refused: null } };
      if (!result.ok) {
        if (result.error.reason.startsWith('amount_') && card) return { ...state, view: { step: 'card', ...card }, amountError: result.error };
        return { ...state, view: { ...base, redemption: null, refused: result.error } };
      }
      return { ...state, view: { ...base, redemption: result.value, refused: null } };
    }
    case 'redemptionChanged': {
      const view = state.view;
      if (view.step !== 'result' || view.redemption?.id !== action.redemption.id) return state;
      return { ...state, view: { ...view, redemption: action.redemption } };
    }
    case 'voidStarted':
      return { ...state, voidError: null };
    case 'voidDone': {
      const result = action.result;
      if (!result) return state;
      if (!result.ok) return { ...state, voidError: result.error };
      const view = state.view;
      return view.step === 'result' ? { ...state, view: { ...view, redemption: result.value }, voidError: null } : state;
    }
  }
}

/** WeChat's own card codes are 12 digits (dynamic codes 18). */
const WECHAT_CODE_DIGITS = 12;

function looksTruncated(code: string, reason: ReasonCode): boolean {
  return (reason === 'card_unknown' || reason === 'code_invalid') && /^\d+$/.test(code) && code.length < WECHAT_CODE_DIGITS;
}

/** "35." typed before the scan becomes "35."; anything the keypad would refuse is dropped. */
function normaliseAmount(typed: string): string {
  let amount = '';
  for (const key of typed) amount = typeAmountKey(amount, key);
  return amount;
}

function onKey(state: RedeemState, key: string): RedeemState {
  const view = state.view;
  const printable = key.length === 1;
  if (view.step === 'card' && state.mode === 'inquiry') {
    // Enter is the "Done" the screen shows: the inquiry is over, back to redeeming.
    if (key === 'Enter' || key === 'Escape') return { ...waitingFresh(state), mode: 'redeem' };
    // Typing over the answer starts the next code to check.
    if (printable) return { ...waitingFresh(state), typedCode: key };
    return state;
  }
  if (view.step === 'result') {
    if (key === 'Enter' || key === 'Escape') return waitingFresh(state);
    // Typing after an outcome (or over an inquiry's answer) starts the next customer's code.
    if (printable) return { ...waitingFresh(state), typedCode: key };
    return state;
  }
  if (view.step === 'waiting') {
    if (printable) return { ...state, typedCode: state.typedCode.length < 64 ? state.typedCode + key : state.typedCode };
    if (key === 'Backspace') return { ...state, typedCode: state.typedCode.slice(0, -1) };
    if (key === 'Escape') return state.typedCode === '' ? { ...waitingFresh(state), mode: 'redeem' } : waitingFresh(state);
    return state;
  }
  if (view.step !== 'card') return state;
  if (key === 'Escape') return waitingFresh(state);
  // No amount for a card that cannot be used, from the keypad or any keyboard: a key says why.
  if (cardUnusable(view)) {
    const reason = view.card?.problems[0];
    return reason && key.length === 1 ? { ...state, amountError: { reason } } : state;
  }
  // A voucher's face value is not the cashier's to change.
  if (view.card?.subCardType === 'VOUCHER' && view.card.balanceFen > 0) return state;
  const amount = typeAmountKey(state.amount, key);
  return { ...state, amount, amountError: amount === state.amount ? state.amountError : null };
}

/** What a key asks the screen to do beyond editing the state. */
export type KeyCommand = Readonly<{ kind: 'submit' }> | Readonly<{ kind: 'lookup'; code: string }> | Readonly<{ kind: 'edit' }>;

export function keyCommand(state: RedeemState, key: string): KeyCommand {
  if (key !== 'Enter') return { kind: 'edit' };
  const view = state.view;
  if (view.step === 'card' && state.mode === 'redeem') return { kind: 'submit' };
  if (view.step === 'waiting') {
    const typed = state.typedCode.trim();
    // An amount typed before the scan waits for the card; Enter does not look it up as a code.
    if (typed !== '' && !(state.mode === 'redeem' && isAmountBeforeScan(typed))) return { kind: 'lookup', code: typed };
  }
  return { kind: 'edit' };
}

/** The short balance offer: take what the card holds, collect the rest another way. */
export type ShortBalance = Readonly<{ balanceFen: number; amountFen: number; takeFen: number; collectFen: number }>;

/** Set when the typed amount is more than a known gift card's (non-zero) balance. */
export function shortBalance(state: RedeemState): ShortBalance | null {
  const view = state.view;
  if (state.mode !== 'redeem' || (view.step !== 'card' && view.step !== 'submitting')) return null;
  const card = view.card;
  if (!card || card.subCardType !== 'GIFT_CARD' || card.problems.length > 0 || card.balanceFen <= 0) return null;
  const check = checkAmount(state.amount);
  if (!check.ok || check.fen <= card.balanceFen) return null;
  return { balanceFen: card.balanceFen, amountFen: check.fen, takeFen: card.balanceFen, collectFen: check.fen - card.balanceFen };
}

/** The request to send for the card on screen, or why not. */
export type SubmitPlan =
  | Readonly<{ ok: true; code: string; amount: string; amountText: string; shortfallFen: number; scannedAt: number }>
  | Readonly<{ ok: false; error: ErrorView | null }>;

/**
 * `partial`: the cashier accepted the short-balance offer — the card's balance is taken and the
 * rest is recorded as the shortfall to collect another way.
 */
export function prepareSubmit(state: RedeemState, partial = false): SubmitPlan {
  const view = state.view;
  if (view.step !== 'card' || state.mode !== 'redeem') return { ok: false, error: null };
  if (cardUnusable(view)) return { ok: false, error: null };
  const check = checkAmount(state.amount);
  if (!check.ok) return { ok: false, error: check.error };
  const base = { ok: true as const, code: view.code, scannedAt: view.scannedAt };
  if (partial) {
    const short = shortBalance(state);
    if (!short) return { ok: false, error: null };
    return { ...base, amount: formatFen(short.takeFen), amountText: state.amount, shortfallFen: short.collectFen };
  }
  return { ...base, amount: state.amount, amountText: state.amount, shortfallFen: 0 };
}
