/**
 * The Redeem screen's reducer, without a browser: what the cashier would see after each scan,
 * key and answer. The browser tests (counter, redeem-desk) drive the same rules through the page.
 */
import { describe, expect, it } from 'vitest';
import type { CardView, RedemptionView } from '../../shared/contract.ts';
import {
  INITIAL_STATE,
  isAmountBeforeScan,
  keyCommand,
  prepareSubmit,
  redeemReducer,
  shortBalance,
  type RedeemAction,
  type RedeemState,
} from '../../src-renderer/screens/redeem/state.ts';

const card = (over: Partial<CardView> = {}): CardView => ({
  codeMasked: '•••• 0001',
  codeKind: 'card_code',
  realCodeMasked: '•••• 0001',
  cardId: 'pCARD',
  title: '礼品卡',
  subCardType: 'GIFT_CARD',
  balanceFen: 1_000,
  userCardStatus: 'NORMAL',
  canConsume: true,
  beginTime: null,
  endTime: null,
  problems: [],
  ...over,
});

const redemption = (over: Partial<RedemptionView> = {}): RedemptionView => ({
  id: 'r-1',
  terminalId: 'T01',
  cashier: '收银员1',
  codeMasked: '•••• 0001',
  codeKind: 'card_code',
  realCodeMasked: null,
  cardId: 'pCARD',
  cardTitle: '礼品卡',
  subCardType: 'GIFT_CARD',
  amountFen: 1_000,
  shortfallFen: null,
  balanceBeforeFen: 1_000,
  balanceAfterFen: 0,
  state: 'settled',
  reason: null,
  detail: null,
  offline: false,
  attempts: 1,
  createdAt: 0,
  updatedAt: 0,
  ...over,
});

const run = (state: RedeemState, ...actions: RedeemAction[]): RedeemState => actions.reduce(redeemReducer, state);
const keys = (state: RedeemState, text: string): RedeemState => run(state, ...[...text].map((key): RedeemAction => ({ type: 'key', key })));

/** Scanned and looked up: the card on screen. */
function scanned(view: CardView | null = card(), from: RedeemState = INITIAL_STATE): RedeemState {
  const started = run(from, { type: 'lookupStarted', seq: from.lookupSeq + 1, code: '688000000001', at: 1 });
  return run(started, {
    type: 'lookupDone',
    seq: started.lookupSeq,
    code: '688000000001',
    at: 1,
    result: view ? { ok: true, value: view } : { ok: false, error: { reason: 'network_unavailable' } },
  });
}

describe('redeem reducer', () => {
  it('shows the card after a scan, and drops a lookup answer overtaken by the next scan', () => {
    const first = run(INITIAL_STATE, { type: 'lookupStarted', seq: 1, code: '688000000001', at: 1 });
    const second = run(first, { type: 'lookupStarted', seq: 2, code: '688000000002', at: 2 });
    const late = run(second, { type: 'lookupDone', seq: first.lookupSeq, code: '688000000001', at: 1, result: { ok: true, value: card() } });
    expect(late.view).toEqual({ step: 'looking', codeMasked: '•••• 0002' });
    const answered = run(second, { type: 'lookupDone', seq: second.lookupSeq, code: '688000000002', at: 2, result: { ok: true, value: card({ codeMasked: '•••• 0002' }) } });
    expect(answered.view.step).toBe('card');
    // Cancelled while looking: the answer that arrives after is not shown.
    const cancelled = run(first, { type: 'reset' }, { type: 'lookupDone', seq: 1, code: '688000000001', at: 1, result: { ok: true, value: card() } });
    expect(cancelled.view).toEqual({ step: 'waiting', problem: null });
  });

  it('types an amount on a usable card and previews nothing on an unusable one, from any key', () => {
    expect(keys(scanned(), '35.5').amount).toBe('35.5');
    const consumed = scanned(card({ userCardStatus: 'CONSUMED', problems: ['card_consumed'] }));
    expect(keys(consumed, '35').amount).toBe('');
    expect(keys(consumed, '35').amountError).toEqual({ reason: 'card_consumed' });
    expect(keyCommand(consumed, 'Enter')).toEqual({ kind: 'submit' });
    expect(prepareSubmit(consumed)).toEqual({ ok: false, error: null });
  });

  it('keeps an amount typed before the scan (amount-then-scan), and does not look it up as a code', () => {
    const typed = keys(INITIAL_STATE, '35');
    expect(isAmountBeforeScan('35')).toBe(true);
    expect(isAmountBeforeScan('688000000001')).toBe(false);
    expect(keyCommand(typed, 'Enter')).toEqual({ kind: 'edit' });
    const after = scanned(card(), typed);
    expect(after.view.step).toBe('card');
    expect(after.amount).toBe('35');
    expect(after.typedCode).toBe('');
    // A typed card code is looked up as one.
    expect(keyCommand(keys(INITIAL_STATE, '688000000001'), 'Enter')).toEqual({ kind: 'lookup', code: '688000000001' });
    // An amount typed before an unusable card is dropped with the card.
    expect(scanned(card({ problems: ['card_expired'] }), typed).amount).toBe('');
  });

  it('offers to take the balance and collect the rest when the card does not cover the amount', () => {
    const over = keys(scanned(card({ balanceFen: 1_000 })), '25');
    expect(shortBalance(over)).toEqual({ balanceFen: 1_000, amountFen: 2_500, takeFen: 1_000, collectFen: 1_500 });
    expect(prepareSubmit(over, true)).toEqual({ ok: true, code: '688000000001', amount: '10.00', amountText: '25', shortfallFen: 1_500, scannedAt: 1 });
    expect(prepareSubmit(over)).toMatchObject({ ok: true, amount: '25', shortfallFen: 0 });
    expect(shortBalance(keys(scanned(card({ balanceFen: 1_000 })), '10'))).toBeNull();
    expect(shortBalance(keys(scanned(card({ balanceFen: 0 })), '10'))).toBeNull();
    expect(shortBalance(keys(scanned(card({ subCardType: 'VOUCHER', balanceFen: 0 })), '10'))).toBeNull();
  });

  it('carries the shortfall into the result, and returns to the card for an amount the core refused', () => {
    const over = keys(scanned(card({ balanceFen: 1_000 })), '25');
    const sent = run(over, { type: 'submitStarted' });
    expect(sent.view.step).toBe('submitting');
    const done = run(sent, { type: 'submitDone', amountText: '25', shortfallFen: 1_500, result: { ok: true, value: redemption() } });
    expect(done.view).toMatchObject({ step: 'result', shortfallFen: 1_500, redemption: { state: 'settled' } });
    const refused = run(sent, { type: 'submitDone', amountText: '25', shortfallFen: 0, result: { ok: false, error: { reason: 'amount_too_large' } } });
    expect(refused.view.step).toBe('card');
    expect(refused.amountError).toEqual({ reason: 'amount_too_large' });
  });

  it('says a scan was cut short, with how much arrived; repeats say nothing', () => {
    const short = run(INITIAL_STATE, { type: 'scanRejected', text: '68800', reason: 'too_short' });
    expect(short.view).toEqual({ step: 'waiting', problem: { kind: 'scan', codeMasked: '•••• 8800', reason: 'too_short', length: 5 } });
    expect(run(INITIAL_STATE, { type: 'scanRejected', text: '688000000001', reason: 'duplicate' })).toBe(INITIAL_STATE);
    // Accepted by the pipeline but unknown to WeChat and shorter than its codes: cut short.
    const started = run(INITIAL_STATE, { type: 'lookupStarted', seq: 1, code: '68800000', at: 1 });
    const cut = run(started, { type: 'lookupDone', seq: 1, code: '68800000', at: 1, result: { ok: false, error: { reason: 'card_unknown' } } });
    expect(cut.view).toEqual({ step: 'waiting', problem: { kind: 'scan', codeMasked: '•••• 0000', reason: 'too_short', length: 8 } });
    const full = run(run(INITIAL_STATE, { type: 'lookupStarted', seq: 1, code: '688000999999', at: 1 }), {
      type: 'lookupDone', seq: 1, code: '688000999999', at: 1, result: { ok: false, error: { reason: 'card_unknown' } },
    });
    expect(full.view).toMatchObject({ problem: { kind: 'lookup', error: { reason: 'card_unknown' } } });
  });

  it('an inquiry keeps a code typed while it is open, and typing over its answer starts the next code', () => {
    const inquiry = run(INITIAL_STATE, { type: 'toggleInquiry' });
    const typed = keys(inquiry, '688000000002');
    expect(typed.mode).toBe('inquiry');
    expect(keyCommand(typed, 'Enter')).toEqual({ kind: 'lookup', code: '688000000002' });
    // Even a short number is a code in an inquiry: there is no amount to type.
    expect(keyCommand(keys(inquiry, '12'), 'Enter')).toEqual({ kind: 'lookup', code: '12' });
    const answered = scanned(card(), typed);
    expect(answered.mode).toBe('inquiry');
    const next = keys(answered, '6');
    expect(next.view.step).toBe('waiting');
    expect(next.typedCode).toBe('6');
    expect(next.mode).toBe('inquiry');
    // Enter is "Done": back to redeeming.
    expect(run(answered, { type: 'key', key: 'Enter' })).toMatchObject({ mode: 'redeem', view: { step: 'waiting' } });
  });

  it('updates the outcome on screen when the core reports it settled, and keeps a refused void as a reason', () => {
    const queued = run(keys(scanned(null), '50'), { type: 'submitStarted' }, {
      type: 'submitDone',
      amountText: '50',
      shortfallFen: 0,
      result: { ok: true, value: redemption({ state: 'queued', offline: true }) },
    });
    const settled = run(queued, { type: 'redemptionChanged', redemption: redemption({ state: 'settled', offline: true }) });
    expect(settled.view).toMatchObject({ step: 'result', redemption: { state: 'settled' } });
    expect(run(queued, { type: 'redemptionChanged', redemption: redemption({ id: 'other' }) })).toBe(queued);
    const refused = run(settled, { type: 'voidStarted' }, { type: 'voidDone', result: { ok: false, error: { reason: 'void_card_moved' } } });
    expect(refused.voidError).toEqual({ reason: 'void_card_moved' });
    // The next customer never sees the last one's message.
    expect(run(refused, { type: 'reset' }).voidError).toBeNull();
  });

  it('keeps a voucher whole: its face value is the amount and keys do not change it', () => {
    const voucher = scanned(card({ subCardType: 'VOUCHER', balanceFen: 2_800 }));
    expect(voucher.amount).toBe('28.00');
    expect(keys(voucher, '5').amount).toBe('28.00');
  });
});
