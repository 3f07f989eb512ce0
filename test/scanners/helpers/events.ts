import type { CodeKind } from '../../../shared/codes.ts';
import type { ScanPipelineEvent } from '../../../shared/scan/events.ts';

/** Collects hub events and waits for the one a test is about. */
export type EventLog = {
  readonly events: ScanPipelineEvent<CodeKind>[];
  push(event: ScanPipelineEvent<CodeKind>): void;
  scans(): string[];
  waitFor(predicate: (event: ScanPipelineEvent<CodeKind>) => boolean, timeoutMs?: number, what?: string): Promise<ScanPipelineEvent<CodeKind>>;
};

export function createEventLog(): EventLog {
  const events: ScanPipelineEvent<CodeKind>[] = [];
  const waiters: Array<{ predicate: (event: ScanPipelineEvent<CodeKind>) => boolean; resolve: (event: ScanPipelineEvent<CodeKind>) => void }> = [];
  return {
    events,
    push(event) {
      events.push(event);
      for (const waiter of [...waiters]) {
        if (waiter.predicate(event)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(event);
        }
      }
    },
    scans() {
      return events.flatMap((e) => (e.type === 'scan' ? [e.scan.text] : []));
    },
    waitFor(predicate, timeoutMs = 5000, what = 'event') {
      const already = events.find(predicate);
      if (already) return Promise.resolve(already);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; got ${JSON.stringify(events.map(summarize))}`));
        }, timeoutMs);
        const waiter = {
          predicate,
          resolve: (event: ScanPipelineEvent<CodeKind>) => {
            clearTimeout(timer);
            resolve(event);
          },
        };
        waiters.push(waiter);
      });
    },
  };
}

export function summarize(event: ScanPipelineEvent<CodeKind>): string {
  switch (event.type) {
    case 'scan':
      return `scan:${event.scan.text}`;
    case 'rejected':
      return `rejected:${event.reason}`;
    case 'error':
      return `error:${event.error.code}`;
    case 'status':
      return `status:${event.status.state}`;
  }
}

/** A deterministic PRNG (mulberry32) so noise tests fail the same way every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
