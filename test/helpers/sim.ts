/**
 * Test access to a real simulator over HTTP: start one, and drive its admin API (/sim/…).
 */
import axios, { type AxiosInstance } from 'axios';
import { SANDBOX_APPID, SANDBOX_SECRET, startSimulator, type RunningSimulator } from '../../src-main/sim/index.ts';

export type SimCode = Readonly<{
  code: string;
  cardId: string;
  balanceFen: number;
  userCardStatus: string;
  history: ReadonlyArray<Readonly<{ kind: string; balanceFen?: number; recordBalance?: string }>>;
}>;

export type SimRequest = Readonly<{ method: string; path: string; query: Record<string, string>; body: unknown }>;

export type FaultSpec = Readonly<{
  path: string;
  kind: 'latency' | 'drop-after-apply' | 'busy-before-apply' | 'busy-after-apply' | 'quota' | 'http500' | 'rate-limit' | 'errcode';
  latencyMs?: number;
  times?: number;
  probability?: number;
  errcode?: number;
}>;

export type SimAdmin = Readonly<{
  url: string;
  http: AxiosInstance;
  createCard(spec: Readonly<Record<string, unknown>> & { balanceFen: number }): Promise<{ cardId: string; code: string }>;
  code(code: string): Promise<SimCode>;
  dynamic(code: string): Promise<{ dynamicCode: string; expiresAt: number }>;
  fault(spec: FaultSpec): Promise<void>;
  clearFaults(): Promise<void>;
  requests(): Promise<SimRequest[]>;
  clearRequests(): Promise<void>;
  clock(body: Readonly<{ now?: number; advance?: number }>): Promise<void>;
  /** Another client writing the card directly (another terminal, the merchant's back office). */
  setBalance(code: string, cardId: string, balanceFen: number): Promise<void>;
}>;

export function simAdmin(url: string): SimAdmin {
  const http = axios.create({ baseURL: url, validateStatus: () => true, proxy: false });
  const ok = <T>(response: { status: number; data: T }, what: string): T => {
    if (response.status >= 300) throw new Error(`${what}: HTTP ${response.status} ${JSON.stringify(response.data)}`);
    return response.data;
  };
  return {
    url,
    http,
    createCard: async (spec) => ok(await http.post('/sim/cards', spec), 'create card'),
    code: async (code) => ok(await http.get(`/sim/codes/${code}`), 'get code'),
    dynamic: async (code) => ok(await http.post(`/sim/codes/${code}/dynamic`, {}), 'mint dynamic'),
    fault: async (spec) => void ok(await http.post('/sim/faults', spec), 'fault'),
    clearFaults: async () => void ok(await http.delete('/sim/faults'), 'clear faults'),
    requests: async () => ok(await http.get('/sim/requests'), 'requests') as SimRequest[],
    clearRequests: async () => void ok(await http.delete('/sim/requests'), 'clear requests'),
    clock: async (body) => void ok(await http.post('/sim/clock', body), 'clock'),
    async setBalance(code, cardId, balanceFen) {
      const token = ok(
        await http.post('/cgi-bin/stable_token', { grant_type: 'client_credential', appid: SANDBOX_APPID, secret: SANDBOX_SECRET }),
        'token',
      ) as { access_token: string };
      const answer = ok(
        await http.post(`/card/generalcard/updateuser?access_token=${token.access_token}`, { code, card_id: cardId, balance: balanceFen, record_balance: '其他终端' }),
        'updateuser',
      ) as { errcode: number };
      if (answer.errcode !== 0) throw new Error(`another writer failed: ${JSON.stringify(answer)}`);
    },
  };
}

export type TestSim = SimAdmin & Readonly<{ sim: RunningSimulator; close(): Promise<void> }>;

export async function startTestSim(options: Readonly<{ dbPath?: string }> = {}): Promise<TestSim> {
  const sim = await startSimulator({ port: 0, dbPath: options.dbPath });
  return { ...simAdmin(sim.url), sim, close: () => sim.close() };
}

/** Deductions (updateuser entries) the simulator applied to a code. */
export const deductions = (code: SimCode) => code.history.filter((h) => h.kind === 'updateuser');

/**
 * Waits until every updateuser the simulator received for `code` has been applied (a late copy of
 * an absolute update, held up by a latency fault, lands after the client gave up on it), then
 * answers the card.
 */
export async function quietCard(admin: SimAdmin, code: string, timeoutMs = 10_000): Promise<SimCode> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const received = (await admin.requests()).filter((r) => r.path.endsWith('/updateuser') && (r.body as { code?: string } | null)?.code === code).length;
    const card = await admin.code(code);
    if (deductions(card).length >= received) return card;
    if (Date.now() > deadline) throw new Error(`updateuser requests for …${code.slice(-4)} still in flight`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
