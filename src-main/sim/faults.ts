/**
 * Injected faults: what a test asks the simulator to do wrong, per WeChat path. Held in memory
 * only: a restarted simulator behaves again. Without `probability` a fault hits every matching
 * request (up to `times`), so a test knows exactly which request fails.
 */
export const FAULT_KINDS = [
  'latency',
  'drop-after-apply',
  'busy-before-apply',
  'busy-after-apply',
  'quota',
  'http500',
  'rate-limit',
  'errcode',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export type FaultSpec = Readonly<{
  /** A WeChat path such as /card/generalcard/updateuser, or * for every WeChat path. */
  path: string;
  kind: FaultKind;
  /** Delay before answering; for kind latency the whole fault, for the others an extra. */
  latencyMs?: number;
  /** How many requests the fault hits; unlimited when absent. */
  times?: number;
  /** Chance that a matching request is hit; every one when absent. */
  probability?: number;
  /** The errcode a fault of kind errcode answers. */
  errcode?: number;
}>;

export type Fault = FaultSpec & Readonly<{ id: number; hits: number }>;

/** What to do to one request: wait `delayMs`, then act on `fault` (null: answer normally). */
export type FaultPlan = Readonly<{ delayMs: number; fault: Fault | null }>;

export type FaultRegistry = Readonly<{
  add(spec: FaultSpec): Fault;
  clear(): number;
  list(): readonly Fault[];
  /** Decides the fate of one request to `path`, counting the hits it consumes. */
  plan(path: string): FaultPlan;
}>;

export function createFaultRegistry(random: () => number = Math.random): FaultRegistry {
  let faults: Fault[] = [];
  let nextId = 1;
  return {
    add(spec) {
      const fault: Fault = { ...spec, id: nextId++, hits: 0 };
      faults.push(fault);
      return fault;
    },
    clear() {
      const count = faults.length;
      faults = [];
      return count;
    },
    list: () => faults.map((fault) => ({ ...fault })),
    plan(path) {
      let delayMs = 0;
      let acting: Fault | null = null;
      faults = faults.map((fault) => {
        if (fault.path !== '*' && fault.path !== path) return fault;
        if (fault.times !== undefined && fault.hits >= fault.times) return fault;
        // Latency faults add up; of the others only the first one registered acts.
        if (fault.kind !== 'latency' && acting !== null) return fault;
        if (fault.probability !== undefined && random() >= fault.probability) return fault;
        const hit = { ...fault, hits: fault.hits + 1 };
        delayMs += fault.latencyMs ?? 0;
        if (fault.kind !== 'latency') acting = hit;
        return hit;
      });
      return { delayMs, fault: acting };
    },
  };
}
