/**
 * Journaling of API exchanges: each request/answer of a redemption is written in the transaction
 * of that redemption's next state change (so it costs no commit of its own); exchanges of a bare
 * lookup in one commit at its end.
 */
import { inTransaction, type Db } from '../journal/db.ts';
import { appendEvent } from '../journal/events.ts';
import type { Exchange } from '../wechat/client.ts';

export class ExchangeLog {
  private readonly unflushed = new Map<string | null, Array<Readonly<{ kind: string; data: unknown }>>>();

  constructor(private readonly db: Db) {}

  /** The callback the WeChat client calls with each exchange of a redemption (null: a bare lookup). */
  recorder(redemptionId: string | null): (exchange: Exchange) => void {
    return (exchange) => this.note(redemptionId, 'api', exchange);
  }

  /** An event to write with the redemption's next commit. */
  note(redemptionId: string | null, kind: string, data: unknown): void {
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
  tx<T>(redemptionId: string | null, fn: () => T): T {
    return inTransaction(this.db, () => {
      this.flush(redemptionId);
      return fn();
    });
  }
}
