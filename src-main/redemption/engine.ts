/**
 * The redemption engine: lookup → validate → deduct (absolute balance) → consume → settled, with
 * every transition committed to the journal before the next network call (DESIGN.md invariants
 * 2–5). An unknown outcome is resolved by reading the balance back, never by deducting again.
 *
 * Commits per online stored-value redemption: pending row, deducting (with before/target), then
 * settled — plus one for `consuming` when the card is emptied.
 */
import { randomUUID } from 'node:crypto';
import { classifyCode, maskCode, type CodeKind } from '../../shared/codes.ts';
import { formatFen, parseYuanToFen } from '../../shared/money.ts';
import { AMOUNT_REASONS, type ReasonCode } from '../../shared/reasons.ts';
import { err, ok, type Result } from '../../shared/result.ts';
import { claimDynamicCode, DYNAMIC_CODE_VALID_MS, getCachedCard, getCardDefinition, getDynamicCode, mapDynamicCode, putCachedCard, putCardDefinition, recordDynamicCode } from '../journal/cards.ts';
import { inTransaction, type Db } from '../journal/db.ts';
import { appendEvent } from '../journal/events.ts';
import { getRedemption, insertRedemption, listRedemptions, localDate, updateRedemption, type RedemptionPatch, type RedemptionRow } from '../journal/redemptions.ts';
import { createLogger } from '../log.ts';
import type { Exchange, WeChatClient } from '../wechat/client.ts';
import { reasonForError, WeChatError } from '../wechat/errors.ts';
import type { CardDefinition, CodeGetAnswer } from '../wechat/schemas.ts';
import { KeyedMutex } from './locks.ts';
import { amountProblem, cardProblems, subCardTypeOf, type SubCardType, type TerminalScope } from './validate.ts';

const log = createLogger('engine');

export type Failure = Readonly<{ reason: ReasonCode; params?: Readonly<Record<string, string | number>> }>;

export type EngineOptions = Readonly<{
  db: Db;
  client: WeChatClient;
  terminalId: string;
  scope: TerminalScope;
  now?: () => number;
  /** How many times the same absolute update is sent when read-back shows it was not applied. */
  maxWriteAttempts?: number;
  /** Read-backs tried before an outcome is left for recovery. */
  maxReadBacks?: number;
  backoffMs?: (attempt: number) => number;
  /** How long card definitions are cached. */
  definitionMaxAgeMs?: number;
  /** A live redemption interrupted longer ago than this is not resumed: the customer has gone. */
  resumeWindowMs?: number;
  /**
   * Offline acceptance: called when the API is unreachable before anything moved. Answers the
   * patch that queues the row, or a refusal. Without it the redemption is declined.
   */
  offline?: OfflinePolicy;
  onChange?: (row: RedemptionRow) => void;
}>;

export type OfflineDecision = Readonly<{ accept: true } | { accept: false; reason: ReasonCode; params?: Readonly<Record<string, string | number>> }>;
export type OfflinePolicy = Readonly<{
  decide(db: Db, request: Readonly<{ scannedCode: string; codeKind: CodeKind; amountFen: number; realCode: string | null }>): OfflineDecision;
  /** Tells the policy the API failed (connectivity tracking). */
  reportUnavailable(error: WeChatError): void;
  reportAvailable(): void;
}>;

export type RedeemInput = Readonly<{
  code: string;
  /** As typed at the till ("35.50"), or integer fen. */
  amount: string | Readonly<{ fen: number }>;
  cashier: string;
  scannedAt?: number;
}>;

export type CardLookup = Readonly<{
  scannedCode: string;
  codeKind: CodeKind;
  answer: CodeGetAnswer;
  definition: CardDefinition;
  subCardType: SubCardType | null;
  problems: readonly ReasonCode[];
}>;

const CODE_REASONS: Partial<Record<CodeKind, ReasonCode>> = {
  invalid: 'code_invalid',
  payment_code: 'code_payment',
  product_barcode: 'code_product',
};

/** States in which a request that changes the card may be in flight. */
const IN_FLIGHT_STATES = ['deducting', 'consuming', 'voiding'] as const;

/** Fault injection for the crash tests: the process kills itself at a named step boundary. */
function crashPoint(name: string): void {
  if (process.env.GCTERM_CRASH_AT === name) process.kill(process.pid, 'SIGKILL');
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The text the customer sees in the card's history (≤ 14 Chinese characters). */
export const recordBalanceText = (amountFen: number) => `门店消费${formatFen(amountFen)}元`;
export const voidRecordText = (amountFen: number) => `门店撤销${formatFen(amountFen)}元`;

/** Strips what scanners add around a code: whitespace, CR/LF, tabs. Everything else is kept for classification. */
export const normaliseScannedCode = (code: string) => code.replace(/^[\s\u0000-\u001f]+|[\s\u0000-\u001f]+$/g, '');

export class Engine {
  readonly db: Db;
  readonly client: WeChatClient;
  private readonly options: EngineOptions;
  private readonly locks = new KeyedMutex();
  private readonly now: () => number;

  constructor(options: EngineOptions) {
    this.options = options;
    this.db = options.db;
    this.client = options.client;
    this.now = options.now ?? Date.now;
  }

  private get maxWriteAttempts() {
    return this.options.maxWriteAttempts ?? 3;
  }

  private backoff(attempt: number): Promise<void> {
    const ms = this.options.backoffMs ? this.options.backoffMs(attempt) : Math.min(2000, 200 * 2 ** attempt);
    return ms > 0 ? sleep(ms) : Promise.resolve();
  }

  /**
   * API exchanges are journaled in the transaction of the next state change of their redemption
   * (so they cost no commit of their own); exchanges of a bare lookup in one commit at its end.
   */
  private readonly unflushed = new Map<string | null, Array<Readonly<{ kind: string; data: unknown }>>>();

  private exchangeRecorder(redemptionId: string | null): (exchange: Exchange) => void {
    return (exchange) => this.note(redemptionId, 'api', exchange);
  }

  private note(redemptionId: string | null, kind: string, data: unknown): void {
    const list = this.unflushed.get(redemptionId) ?? [];
    list.push({ kind, data });
    this.unflushed.set(redemptionId, list);
  }

  private flush(redemptionId: string | null): void {
    const list = this.unflushed.get(redemptionId);
    if (!list) return;
    this.unflushed.delete(redemptionId);
    for (const event of list) appendEvent(this.db, { redemptionId, kind: event.kind, data: event.data });
  }

  /** One durable commit that also writes the redemption's pending exchange events. */
  private tx<T>(redemptionId: string | null, fn: () => T): T {
    return inTransaction(this.db, () => {
      this.flush(redemptionId);
      return fn();
    });
  }

  private readonly changeListeners = new Set<(row: RedemptionRow) => void>();

  /** Every committed change of a redemption, for the UI. */
  onChange(listener: (row: RedemptionRow) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  private changed(row: RedemptionRow): RedemptionRow {
    this.options.onChange?.(row);
    for (const listener of this.changeListeners) listener(row);
    return row;
  }

  private update(id: string, patch: RedemptionPatch, note?: Readonly<Record<string, unknown>>): RedemptionRow {
    return this.changed(this.tx(id, () => updateRedemption(this.db, id, patch, note)));
  }

  /** Bad input: a journal trace, nothing else. */
  private rejectInput(field: 'amount' | 'code', reason: ReasonCode, detail: Readonly<Record<string, unknown>>): Failure {
    inTransaction(this.db, () => appendEvent(this.db, { redemptionId: null, kind: 'input_rejected', data: { field, reason, ...detail } }));
    return { reason };
  }

  private checkCode(rawCode: string): Result<{ code: string; kind: CodeKind }, Failure> {
    const code = normaliseScannedCode(rawCode);
    const kind = classifyCode(code);
    const reason = CODE_REASONS[kind];
    if (reason) {
      const shown = code.length > 64 ? `${code.slice(0, 16)}…` : code;
      return err(this.rejectInput('code', reason, { length: rawCode.length, code: kind === 'invalid' ? JSON.stringify(shown) : maskCode(code) }));
    }
    return ok({ code, kind });
  }

  private async fetchDefinition(cardId: string, onExchange?: (e: Exchange) => void): Promise<CardDefinition> {
    const now = this.now();
    const cached = getCardDefinition(this.db, cardId, this.options.definitionMaxAgeMs ?? 3_600_000, now);
    if (cached) return cached;
    const definition = await this.client.getCard(cardId, onExchange);
    putCardDefinition(this.db, definition, now);
    return definition;
  }

  private rememberCard(answer: CodeGetAnswer, definition: CardDefinition, balanceFen?: number): void {
    putCachedCard(this.db, {
      real_code: answer.card.code,
      card_id: answer.card.card_id,
      sub_card_type: subCardTypeOf(definition),
      balance_fen: balanceFen ?? answer.card.balance ?? null,
      user_card_status: answer.user_card_status,
      end_time: answer.card.end_time,
      use_dynamic_code: definition.useDynamicCode ? 1 : 0,
      seen_at: this.now(),
    });
  }

  /**
   * code/get for a scanned code. A custom-code card answers 41012 without its card_id, and a
   * scan does not carry it: try the card ids this terminal knows (this code's last lookup, the
   * allowed list, cached custom-code definitions), as WECHAT_CARD_API.md advises.
   */
  private async lookupScanned(code: string, record: (e: Exchange) => void, isExpireDynamicCode = false): Promise<CodeGetAnswer> {
    try {
      return await this.client.getCode({ code, checkConsume: false, isExpireDynamicCode }, record);
    } catch (error) {
      if (!(error instanceof WeChatError) || error.errcode !== 41012) throw error;
      const known = getCachedCard(this.db, code)?.card_id;
      const customCardIds = (this.db.prepare('SELECT card_id, data FROM card_definitions').all() as Array<{ card_id: string; data: string }>)
        .filter((row) => (JSON.parse(row.data) as CardDefinition).useCustomCode)
        .map((row) => row.card_id);
      const candidates = [...new Set([...(known ? [known] : []), ...this.options.scope.allowedCardIds, ...customCardIds])];
      for (const cardId of candidates) {
        try {
          return await this.client.getCode({ code, cardId, checkConsume: false, isExpireDynamicCode }, record);
        } catch (retryError) {
          if (!(retryError instanceof WeChatError) || (retryError.errcode !== 40056 && retryError.errcode !== 41012)) throw retryError;
        }
      }
      throw error;
    }
  }

  /** Balance inquiry: the card, its balance and whether it can be redeemed here. Moves nothing. */
  async lookup(rawCode: string): Promise<Result<CardLookup, Failure>> {
    const checked = this.checkCode(rawCode);
    if (!checked.ok) return checked;
    const { code, kind } = checked.value;
    // A dynamic code is resolved once: an inquiry records the mapping, the redemption that
    // follows uses it. Presented again after that, it is a replay.
    const seen = kind === 'wechat_dynamic' ? getDynamicCode(this.db, code) : undefined;
    if (seen && (seen.redemption_id !== null || seen.real_code === null || this.now() - seen.first_seen_at > DYNAMIC_CODE_VALID_MS)) {
      return err(this.rejectInput('code', 'dynamic_code_replay', { code: maskCode(code) }));
    }
    try {
      const record = this.exchangeRecorder(null);
      const answer = seen?.real_code
        ? await this.client.getCode({ code: seen.real_code, cardId: seen.card_id ?? undefined, checkConsume: false }, record)
        : await this.lookupScanned(code, record);
      const definition = await this.fetchDefinition(answer.card.card_id, record);
      this.options.offline?.reportAvailable();
      this.tx(null, () => {
        this.rememberCard(answer, definition);
        if (kind === 'wechat_dynamic' && !seen && recordDynamicCode(this.db, code, null, this.now())) {
          mapDynamicCode(this.db, code, answer.card.code, answer.card.card_id);
        }
      });
      const problems = cardProblems(answer, definition, this.options.scope, Math.floor(this.now() / 1000));
      return ok({ scannedCode: code, codeKind: kind, answer, definition, subCardType: subCardTypeOf(definition), problems });
    } catch (error) {
      this.tx(null, () => undefined);
      if (error instanceof WeChatError && error.apiUnavailable) this.options.offline?.reportUnavailable(error);
      return err({ reason: reasonForError(error) });
    }
  }

  /**
   * Redeems `amount` from the scanned card. Resolves to the journal row (settled, declined,
   * needs_review, queued — or deducting/consuming when the outcome could not be read back yet,
   * which recovery finishes), or to a failure for input refused before any row was written.
   */
  async redeem(input: RedeemInput): Promise<Result<RedemptionRow, Failure>> {
    let amountFen: number;
    if (typeof input.amount === 'string') {
      const parsed = parseYuanToFen(input.amount);
      if (!parsed.ok) {
        return err(this.rejectInput('amount', AMOUNT_REASONS[parsed.error], { length: input.amount.length, amount: input.amount.slice(0, 32) }));
      }
      amountFen = parsed.fen;
    } else {
      if (!Number.isSafeInteger(input.amount.fen) || input.amount.fen <= 0) {
        return err(this.rejectInput('amount', 'amount_format', { fen: String(input.amount.fen) }));
      }
      amountFen = input.amount.fen;
    }
    const checked = this.checkCode(input.code);
    if (!checked.ok) return checked;
    const { code, kind } = checked.value;
    const id = randomUUID();
    const scannedAt = input.scannedAt ?? this.now();

    // Commit 1: the redemption exists before any API call. A dynamic code is remembered in the
    // same transaction; a second presentation is a replay and is declined on the spot.
    const row = inTransaction(this.db, () => {
      const base = { id, terminal_id: this.options.terminalId, cashier: input.cashier, scanned_code: code, code_kind: kind, scanned_at: scannedAt, amount_fen: amountFen, created_at: this.now() } as const;
      if (kind === 'wechat_dynamic' && claimDynamicCode(this.db, code, id, this.now()) === 'replay') {
        return insertRedemption(this.db, { ...base, state: 'declined', reason: 'dynamic_code_replay' });
      }
      return insertRedemption(this.db, { ...base, state: 'pending' });
    });
    this.changed(row);
    if (row.state !== 'pending') return ok(row);
    return ok(await this.locks.run(code, () => this.runPending(row)));
  }

  /** From `pending`: lookup, validate, then deduct (or queue when the API is out of reach). */
  private async runPending(row: RedemptionRow): Promise<RedemptionRow> {
    crashPoint('after-pending');
    const record = this.exchangeRecorder(row.id);
    let answer: CodeGetAnswer;
    let definition: CardDefinition;
    const mapped = row.code_kind === 'wechat_dynamic' ? getDynamicCode(this.db, row.scanned_code) : undefined;
    try {
      answer = mapped?.real_code
        ? await this.client.getCode({ code: mapped.real_code, cardId: mapped.card_id ?? undefined, checkConsume: false }, record)
        : await this.lookupScanned(row.scanned_code, record);
      definition = await this.fetchDefinition(answer.card.card_id, record);
      this.options.offline?.reportAvailable();
    } catch (error) {
      return this.lookupFailed(row, error);
    }
    const realCode = answer.card.code;
    if (realCode !== row.scanned_code) {
      return this.locks.run(realCode, () => this.validateAndDeduct(row, answer, definition));
    }
    return this.validateAndDeduct(row, answer, definition);
  }

  private lookupFailed(row: RedemptionRow, error: unknown): RedemptionRow {
    if (error instanceof WeChatError && error.apiUnavailable) {
      this.options.offline?.reportUnavailable(error);
      const policy = this.options.offline;
      if (policy) {
        const cachedReal = row.code_kind === 'card_code' ? row.scanned_code : null;
        const decision = this.tx(row.id, () => {
          const d = policy.decide(this.db, { scannedCode: row.scanned_code, codeKind: row.code_kind, amountFen: row.amount_fen, realCode: cachedReal });
          if (d.accept) {
            const cached = cachedReal ? getCachedCard(this.db, cachedReal) : undefined;
            updateRedemption(this.db, row.id, {
              state: 'queued',
              offline: 1,
              real_code: cachedReal,
              card_id: cached?.card_id ?? null,
              sub_card_type: (cached?.sub_card_type as SubCardType | null | undefined) ?? null,
              reason: null,
            }, { offline: reasonForError(error) });
          } else {
            updateRedemption(this.db, row.id, { state: 'declined', reason: d.reason, detail: d.params ? JSON.stringify(d.params) : null });
          }
          return d;
        });
        log.info(`offline: ${decision.accept ? 'queued' : `declined (${decision.reason})`}`);
        return this.changed(getRedemption(this.db, row.id) ?? row);
      }
    }
    return this.update(row.id, { state: 'declined', reason: reasonForError(error), detail: error instanceof Error ? error.message : null });
  }

  /** Validates a fresh lookup, then commits `deducting` (or `consuming` for a voucher) and sends. */
  private async validateAndDeduct(row: RedemptionRow, answer: CodeGetAnswer, definition: CardDefinition, replay = false): Promise<RedemptionRow> {
    const realCode = answer.card.code;
    const subCardType = subCardTypeOf(definition);
    const problems = cardProblems(answer, definition, this.options.scope, Math.floor(this.now() / 1000));
    const amountIssue = problems.length === 0 && subCardType ? amountProblem(subCardType, answer.card.balance, row.amount_fen) : null;
    const reason = problems[0] ?? amountIssue;
    const known = { real_code: realCode, card_id: answer.card.card_id, card_title: definition.title, sub_card_type: subCardType };
    if (reason) {
      // Live: the cashier is told and nothing moved. Replayed: the goods are gone, so a manager
      // decides (never a partial deduction on the terminal's own initiative).
      const detail = replay ? `replay: card ${answer.user_card_status}, balance ${answer.card.balance ?? 'none'} fen, queued ${row.amount_fen} fen` : null;
      return this.changed(
        this.tx(row.id, () => {
          if (row.code_kind === 'wechat_dynamic') mapDynamicCode(this.db, row.scanned_code, realCode, answer.card.card_id);
          this.rememberCard(answer, definition);
          return updateRedemption(this.db, row.id, { ...known, state: replay ? 'needs_review' : 'declined', reason, detail, balance_before_fen: answer.card.balance ?? null });
        }),
      );
    }
    const voucher = subCardType === 'VOUCHER';
    const before = answer.card.balance ?? 0;
    const target = voucher ? before : before - row.amount_fen;
    // Commit 2: the intent, with the balance before and the absolute balance targeted, before
    // anything that changes the card is sent. Refused if another process has a write in flight.
    const started = this.tx(row.id, () => {
      if (row.code_kind === 'wechat_dynamic') mapDynamicCode(this.db, row.scanned_code, realCode, answer.card.card_id);
      this.rememberCard(answer, definition);
      const busy = listRedemptions(this.db, { realCode, states: IN_FLIGHT_STATES }).some((other) => other.id !== row.id);
      if (busy && replay) return updateRedemption(this.db, row.id, { ...known, state: 'queued' }, { busy: true });
      if (busy) return updateRedemption(this.db, row.id, { ...known, state: 'declined', reason: 'card_busy' });
      return updateRedemption(this.db, row.id, {
        ...known,
        state: voucher ? 'consuming' : 'deducting',
        balance_before_fen: before,
        target_balance_fen: target,
        attempts: 1,
      });
    });
    this.changed(started);
    if (started.state === 'declined' || started.state === 'queued') return started;
    return voucher ? this.sendConsume(started, false) : this.sendUpdate(started);
  }

  /**
   * Nothing was applied and the service is to blame: a live redemption is declined (the cashier
   * can try again); a queued one goes back to the queue, since its goods are already gone.
   */
  private notApplied(row: RedemptionRow, reason: ReasonCode, detail: string | null): RedemptionRow {
    if (row.offline === 1) return this.update(row.id, { state: 'queued', reason: null, detail }, { notApplied: reason });
    return this.update(row.id, { state: 'declined', reason, detail });
  }

  /** Sends the absolute update of a `deducting` row and resolves its outcome. */
  private async sendUpdate(row: RedemptionRow): Promise<RedemptionRow> {
    const realCode = row.real_code ?? '';
    const cardId = row.card_id ?? '';
    const target = row.target_balance_fen ?? 0;
    crashPoint('before-update-send');
    if (process.env.GCTERM_CRASH_AT === 'update-in-flight') {
      setTimeout(() => process.kill(process.pid, 'SIGKILL'), Number(process.env.GCTERM_CRASH_DELAY_MS ?? 100));
    }
    try {
      const answer = await this.client.updateUser(
        { code: realCode, cardId, balanceFen: target, recordBalance: recordBalanceText(row.amount_fen) },
        this.exchangeRecorder(row.id),
      );
      crashPoint('after-update-answer');
      if (answer.result_balance !== target) {
        return this.update(row.id, {
          state: 'needs_review',
          reason: 'unexpected_result',
          balance_after_fen: answer.result_balance,
          detail: `WeChat stored ${answer.result_balance} fen, the terminal targeted ${target} fen`,
        });
      }
      return this.applied(row);
    } catch (error) {
      if (error instanceof WeChatError && error.outcomeUnknown) return this.resolveUpdate(row, `${error.message}`);
      // The service refused the write: nothing applied.
      if (error instanceof WeChatError && error.apiUnavailable) this.options.offline?.reportUnavailable(error);
      return this.notApplied(row, reasonForError(error), error instanceof Error ? error.message : null);
    }
  }

  /** Reads the balance back after an unknown outcome (DESIGN.md: "Outcomes that are unknown"). */
  private async resolveUpdate(row: RedemptionRow, why: string, resendAllowed = true): Promise<RedemptionRow> {
    const readBack = await this.readBack(row);
    if (readBack === null) {
      return this.update(row.id, { reason: 'outcome_unknown', detail: `${why}; read-back failed, recovery will check again` });
    }
    const before = row.balance_before_fen ?? -1;
    const target = row.target_balance_fen ?? -1;
    const balance = readBack.card.balance;
    if (balance === target) {
      this.note(row.id, 'read_back', { balance, verdict: 'applied' });
      return this.applied(row);
    }
    if (balance === before && readBack.user_card_status === 'NORMAL') {
      if (!resendAllowed) {
        return this.update(row.id, { state: 'declined', reason: 'interrupted', detail: `${why}; read-back shows the balance untouched` });
      }
      if (row.attempts >= this.maxWriteAttempts) return this.notApplied(row, 'service_busy', `${why}; not applied after ${row.attempts} attempts`);
      await this.backoff(row.attempts);
      // Not applied: send the same absolute update again (harmless if a late copy lands too).
      const next = this.update(row.id, { attempts: row.attempts + 1 }, { readBack: balance, verdict: 'not applied, resending' });
      return this.sendUpdate(next);
    }
    return this.update(row.id, {
      state: 'needs_review',
      reason: 'balance_conflict',
      balance_after_fen: balance ?? null,
      detail: `${why}; read-back ${balance ?? 'none'} fen (${readBack.user_card_status}), before ${before}, target ${target}: someone else wrote the card`,
    });
  }

  private async readBack(row: RedemptionRow): Promise<CodeGetAnswer | null> {
    const tries = this.options.maxReadBacks ?? 3;
    for (let attempt = 0; attempt < tries; attempt++) {
      try {
        return await this.client.getCode({ code: row.real_code ?? '', cardId: row.card_id ?? undefined, checkConsume: false }, this.exchangeRecorder(row.id));
      } catch (error) {
        if (error instanceof WeChatError && error.failure.kind === 'api' && error.errcode !== -1 && error.errcode !== 45011) {
          // The service answered: the card is gone (40056 …). Keep what we know for review.
          return null;
        }
        await this.backoff(attempt);
      }
    }
    return null;
  }

  /** The deduction is applied: settle, or retire an emptied card first. */
  private async applied(row: RedemptionRow): Promise<RedemptionRow> {
    const target = row.target_balance_fen ?? 0;
    if (target === 0) {
      const consuming = this.update(row.id, { state: 'consuming', balance_after_fen: 0, attempts: 1 });
      crashPoint('before-consume');
      return this.sendConsume(consuming, true);
    }
    return this.changed(
      this.tx(row.id, () => {
        this.db.prepare('UPDATE card_cache SET balance_fen = ?, seen_at = ? WHERE real_code = ?').run(target, this.now(), row.real_code);
        return updateRedemption(this.db, row.id, { state: 'settled', balance_after_fen: target, reason: null });
      }),
    );
  }

  /**
   * Sends code/consume for a `consuming` row. `afterDeduction`: a stored-value card emptied by
   * this redemption (money already moved); otherwise a voucher, for which consume is the redemption.
   */
  private async sendConsume(row: RedemptionRow, afterDeduction: boolean): Promise<RedemptionRow> {
    const realCode = row.real_code ?? '';
    const cardId = row.card_id ?? '';
    try {
      await this.client.consume({ code: realCode, cardId }, this.exchangeRecorder(row.id));
      crashPoint('after-consume-answer');
      return this.settleConsumed(row);
    } catch (error) {
      if (error instanceof WeChatError && error.errcode === 40099) {
        // Already consumed. After our own deduction to 0, or on a resend, that was us.
        if (afterDeduction || row.attempts > 1) return this.settleConsumed(row);
        return this.update(row.id, { state: 'needs_review', reason: 'balance_conflict', detail: 'voucher consumed by someone else between lookup and consume' });
      }
      if (error instanceof WeChatError && error.outcomeUnknown) return this.resolveConsume(row, afterDeduction, error.message);
      if (afterDeduction) {
        // The money moved; only retiring the code failed. Recovery retries it.
        return this.update(row.id, { reason: 'outcome_unknown', detail: `consume failed: ${(error as Error).message}` });
      }
      return this.notApplied(row, reasonForError(error), (error as Error).message);
    }
  }

  private async resolveConsume(row: RedemptionRow, afterDeduction: boolean, why: string, resendAllowed = true): Promise<RedemptionRow> {
    const readBack = await this.readBack(row);
    if (readBack === null) return this.update(row.id, { reason: 'outcome_unknown', detail: `${why}; read-back failed` });
    if (readBack.user_card_status === 'CONSUMED') return this.settleConsumed(row);
    if (readBack.user_card_status === 'NORMAL') {
      if (!afterDeduction && !resendAllowed) {
        return this.update(row.id, { state: 'declined', reason: 'interrupted', detail: `${why}; the voucher was not consumed` });
      }
      if (row.attempts >= this.maxWriteAttempts) {
        if (afterDeduction) return this.update(row.id, { reason: 'outcome_unknown', detail: `${why}; consume not applied yet` });
        return this.notApplied(row, 'service_busy', `${why}; not applied after ${row.attempts} attempts`);
      }
      await this.backoff(row.attempts);
      return this.sendConsume(this.update(row.id, { attempts: row.attempts + 1 }), afterDeduction);
    }
    return this.update(row.id, {
      state: 'needs_review',
      reason: 'balance_conflict',
      detail: `${why}; card is ${readBack.user_card_status}`,
    });
  }

  private settleConsumed(row: RedemptionRow): RedemptionRow {
    return this.changed(
      this.tx(row.id, () => {
        this.db.prepare("UPDATE card_cache SET balance_fen = 0, user_card_status = 'CONSUMED', seen_at = ? WHERE real_code = ?").run(this.now(), row.real_code);
        return updateRedemption(this.db, row.id, { state: 'settled', reason: null, balance_after_fen: row.sub_card_type === 'VOUCHER' ? null : 0 });
      }),
    );
  }

  /**
   * Forwards one queued (offline) redemption through the same exactly-once path. A dynamic code
   * is resolved with is_expire_dynamic_code, since it has long timed out. Throws the WeChatError
   * when the API is still out of reach (the row stays queued, the replayer backs off).
   */
  async replay(id: string): Promise<RedemptionRow | undefined> {
    const initial = getRedemption(this.db, id);
    if (!initial || initial.state !== 'queued') return initial;
    return this.locks.runAll([initial.scanned_code, initial.real_code ?? initial.scanned_code], () => this.replayUnlocked(id));
  }

  private async replayUnlocked(id: string): Promise<RedemptionRow | undefined> {
    const row = getRedemption(this.db, id);
    if (!row || row.state !== 'queued') return row;
    const record = this.exchangeRecorder(row.id);
    let answer: CodeGetAnswer;
    let definition: CardDefinition;
    try {
      answer = await this.lookupScanned(row.scanned_code, record, row.code_kind === 'wechat_dynamic');
      definition = await this.fetchDefinition(answer.card.card_id, record);
    } catch (error) {
      if (error instanceof WeChatError && (error.apiUnavailable || error.errcode === 45011)) {
        this.tx(row.id, () => undefined);
        throw error;
      }
      const reason = reasonForError(error);
      return this.update(row.id, { state: 'needs_review', reason, detail: `replay: ${(error as Error).message}` });
    }
    return this.validateAndDeduct(row, answer, definition, true);
  }

  /**
   * Brings one unfinished redemption to a final state by the same rules as the live path.
   * `pending` and `deducting` rows of a live redemption interrupted longer ago than the resume
   * window are not completed: the customer has gone and was never told "approved".
   */
  async resolve(id: string): Promise<RedemptionRow | undefined> {
    const initial = getRedemption(this.db, id);
    if (!initial) return undefined;
    const key = initial.real_code ?? initial.scanned_code;
    return this.locks.runAll([initial.scanned_code, key], async () => {
      const row = getRedemption(this.db, id);
      if (!row) return undefined;
      const fresh = row.offline === 1 || this.now() - row.updated_at <= (this.options.resumeWindowMs ?? 10 * 60_000);
      switch (row.state) {
        case 'pending':
          if (!fresh) return this.update(row.id, { state: 'declined', reason: 'interrupted', detail: 'interrupted before anything was sent' });
          return this.runPending(row);
        case 'deducting':
          return this.resolveUpdate(row, 'resumed after interruption', fresh);
        case 'consuming':
          return this.resolveConsume(row, row.sub_card_type !== 'VOUCHER', 'resumed after interruption', fresh);
        case 'voiding':
          return this.resolveVoid(row, 'resumed after interruption');
        default:
          return row;
      }
    });
  }

  /**
   * Every start: resumes unfinished redemptions (queued ones are left to the offline replay).
   * While running, the replay job calls it for rows left unresolved for a while (an outcome that
   * could not be read back yet), so a card is not held by a stale in-flight row until a restart.
   */
  async recover(options: Readonly<{ olderThanMs?: number }> = {}): Promise<RedemptionRow[]> {
    const cutoff = this.now() - (options.olderThanMs ?? 0);
    const unfinished = listRedemptions(this.db, { states: ['pending', 'deducting', 'consuming', 'voiding'] }).filter(
      (row) => options.olderThanMs === undefined || row.updated_at <= cutoff,
    );
    const results: RedemptionRow[] = [];
    for (const row of unfinished) {
      const resolved = await this.resolve(row.id);
      if (resolved) results.push(resolved);
    }
    return results;
  }

  /**
   * A manager's decision on a redemption held for review, journaled with who and why:
   * - retry: back into the queue and forwarded now, through the exactly-once path;
   * - settle_partial: deduct what the card still holds (emptying it), record the shortfall;
   * - write_off: record the loss; collected_other: record payment taken another way (cash).
   */
  async resolveReview(
    id: string,
    action: 'retry' | 'settle_partial' | 'write_off' | 'collected_other',
    manager: string,
    note: string,
  ): Promise<Result<RedemptionRow, Failure>> {
    const initial = getRedemption(this.db, id);
    if (!initial) return err({ reason: 'not_found' });
    const who = { manager, action, note };
    if (action === 'write_off' || action === 'collected_other') {
      if (initial.state !== 'needs_review') return err({ reason: 'invalid_request' });
      return ok(this.update(id, { state: action === 'write_off' ? 'written_off' : 'collected_other', detail: `${initial.detail ?? ''}\n${manager}: ${note}`.trim() }, who));
    }
    return this.locks.runAll([initial.scanned_code, initial.real_code ?? initial.scanned_code], async () => {
      const row = getRedemption(this.db, id);
      if (!row || row.state !== 'needs_review') return err({ reason: 'invalid_request' });
      if (action === 'retry') {
        const queued = this.update(id, { state: 'queued', offline: 1, reason: null }, who);
        try {
          return ok((await this.replayUnlocked(id)) ?? queued);
        } catch (error) {
          // Still unreachable: it stays queued and the replay job forwards it later.
          if (error instanceof WeChatError) return ok(getRedemption(this.db, id) ?? queued);
          throw error;
        }
      }
      // settle_partial: a fresh read of the card decides how much is left.
      let answer: CodeGetAnswer;
      try {
        answer = await this.client.getCode({ code: row.real_code ?? row.scanned_code, cardId: row.card_id ?? undefined, checkConsume: false, isExpireDynamicCode: row.real_code === null && row.code_kind === 'wechat_dynamic' }, this.exchangeRecorder(row.id));
      } catch (error) {
        return err({ reason: reasonForError(error) });
      }
      const balance = answer.card.balance ?? 0;
      if (answer.user_card_status !== 'NORMAL' || balance <= 0 || row.sub_card_type === 'VOUCHER') return err({ reason: 'insufficient_balance' });
      const part = Math.min(balance, row.amount_fen);
      const shortfall = row.amount_fen - part;
      const deducting = this.update(
        id,
        {
          state: 'deducting',
          real_code: answer.card.code,
          card_id: answer.card.card_id,
          amount_fen: part,
          balance_before_fen: balance,
          target_balance_fen: balance - part,
          attempts: 1,
          reason: null,
          detail: `partial: ${part} of ${row.amount_fen} fen deducted, shortfall ${shortfall} fen (${manager}: ${note})`,
        },
        { ...who, shortfallFen: shortfall },
      );
      return ok(await this.sendUpdate(deducting));
    });
  }

  /**
   * A manager reverses a settled redemption of today when the card has not moved since: the
   * balance is set back to what it was before. A consumed (emptied or voucher) card cannot be.
   */
  async void(id: string, manager: string): Promise<Result<RedemptionRow, Failure>> {
    const initial = getRedemption(this.db, id);
    if (!initial) return err({ reason: 'not_found' });
    return this.locks.run(initial.real_code ?? initial.scanned_code, async () => {
      // A refused void is journaled too (who tried, why it was refused), with its read-back.
      const refuse = (reason: ReasonCode): Result<never, Failure> => {
        this.tx(id, () => appendEvent(this.db, { redemptionId: id, kind: 'void_refused', data: { manager, reason } }));
        return err({ reason });
      };
      const row = getRedemption(this.db, id);
      if (!row || row.state !== 'settled') return refuse('void_not_settled');
      if (localDate(row.created_at) !== localDate(this.now())) return refuse('void_not_today');
      if (row.sub_card_type === 'VOUCHER' || row.balance_after_fen === 0) return refuse('void_consumed');
      let current: CodeGetAnswer;
      try {
        current = await this.client.getCode({ code: row.real_code ?? '', cardId: row.card_id ?? undefined, checkConsume: false }, this.exchangeRecorder(row.id));
      } catch (error) {
        return refuse(reasonForError(error));
      }
      if (current.user_card_status === 'CONSUMED') return refuse('void_consumed');
      if (current.card.balance !== row.balance_after_fen || current.user_card_status !== 'NORMAL') return refuse('void_card_moved');
      const voiding = this.update(row.id, { state: 'voiding', attempts: row.attempts + 1 }, { manager, action: 'void' });
      return ok(await this.sendVoid(voiding));
    });
  }

  private async sendVoid(row: RedemptionRow): Promise<RedemptionRow> {
    const restore = row.balance_before_fen ?? 0;
    try {
      const answer = await this.client.updateUser(
        { code: row.real_code ?? '', cardId: row.card_id ?? '', balanceFen: restore, recordBalance: voidRecordText(row.amount_fen) },
        this.exchangeRecorder(row.id),
      );
      if (answer.result_balance !== restore) {
        return this.update(row.id, { state: 'needs_review', reason: 'unexpected_result', detail: `void: WeChat stored ${answer.result_balance} fen, expected ${restore}` });
      }
      return this.voided(row);
    } catch (error) {
      if (error instanceof WeChatError && error.outcomeUnknown) return this.resolveVoid(row, error.message);
      // Refused: nothing changed, the redemption stands.
      return this.update(row.id, { state: 'settled', detail: `void refused: ${(error as Error).message}` });
    }
  }

  private async resolveVoid(row: RedemptionRow, why: string): Promise<RedemptionRow> {
    const readBack = await this.readBack(row);
    if (readBack === null) return this.update(row.id, { reason: 'outcome_unknown', detail: `void: ${why}; read-back failed` });
    const balance = readBack.card.balance;
    if (balance === row.balance_before_fen) return this.voided(row);
    if (balance === row.balance_after_fen && readBack.user_card_status === 'NORMAL') {
      if (row.attempts >= this.maxWriteAttempts + 1) return this.update(row.id, { state: 'settled', detail: `void not applied: ${why}` });
      await this.backoff(row.attempts);
      return this.sendVoid(this.update(row.id, { attempts: row.attempts + 1 }));
    }
    return this.update(row.id, { state: 'needs_review', reason: 'balance_conflict', detail: `void: ${why}; read-back ${balance ?? 'none'} fen` });
  }

  private voided(row: RedemptionRow): RedemptionRow {
    return this.changed(
      this.tx(row.id, () => {
        this.db.prepare('UPDATE card_cache SET balance_fen = ?, seen_at = ? WHERE real_code = ?').run(row.balance_before_fen, this.now(), row.real_code);
        return updateRedemption(this.db, row.id, { state: 'voided', reason: null, detail: null });
      }),
    );
  }
}
