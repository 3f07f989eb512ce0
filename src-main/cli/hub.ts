/**
 * The store hub's commands:
 * - `gcterm hub serve --db <postgres-url>`: the hub (stateless; several may serve one database);
 * - `gcterm hub enrol <terminal-id>`: a one-time enrolment code for a counter (15 minutes);
 * - `gcterm hub revoke <terminal-id>`: cuts a counter off at once;
 * - `gcterm hub report`: the store's / chain's day from the counters' pushed journals;
 * - `gcterm hub terminals`: the counters, last seen, queue depth, exposure, version;
 * and, on a counter, `gcterm enrol <hub-url> <code>`: joins the hub.
 * Messages are printed in English and Chinese; `--json` for machines.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { formatYuan } from '../../shared/money.ts';
import { ConfigError, defaultDataDir, loadConfig } from '../config.ts';
import { localDate } from '../journal/redemptions.ts';
import { createLogger } from '../log.ts';
import { createHttp } from '../wechat/client.ts';
import { appSecretTokenProvider, componentTokenProvider, relayTokenProvider, staticTokenProvider, type TokenProvider } from '../wechat/tokens.ts';
import { enrolWithHub, HubEnrolmentError } from '../hub/client.ts';
import { APP_VERSION } from '../hub/journal-sync.ts';
import { HubSchemaTooNewError, migrateHub } from '../hub/migrations.ts';
import { enrolmentCodeHash, newEnrolmentCode, TerminalIdSchema } from '../hub/protocol.ts';
import { HubConfigError, startHub } from '../hub/server.ts';
import { dayReport, HubStore, listTerminals, openHubPool, type ReportRow } from '../hub/store.ts';
import type { TokenState } from '../hub/token-source.ts';
import { untilSignal, type CliIO, type RegisterCommand } from './io.ts';

const log = createLogger('hub-cli');

type GlobalOptions = Readonly<{ json?: boolean }>;
const globals = (command: Command): GlobalOptions => command.optsWithGlobals<GlobalOptions>();

function fail(io: CliIO, json: boolean | undefined, error: string, en: string, zh: string): void {
  if (json) io.out(JSON.stringify({ error, message: en, messageZh: zh }));
  else io.err(`${en} / ${zh}`);
  io.setExitCode(1);
}

function dbUrl(io: CliIO, json: boolean | undefined, given: string | undefined): string | null {
  const url = given ?? process.env.GCTERM_HUB_DB;
  if (!url) {
    fail(io, json, 'invalid_request', '--db <postgres-url> is required (or GCTERM_HUB_DB)', '需要 --db <PostgreSQL 地址>（或 GCTERM_HUB_DB）');
    return null;
  }
  return url;
}

/** Runs `fn` with a migrated pool; database problems become one clear line. */
async function withDatabase(io: CliIO, json: boolean | undefined, url: string, fn: (pool: ReturnType<typeof openHubPool>) => Promise<void>): Promise<void> {
  const pool = openHubPool(url, 2);
  try {
    await migrateHub(pool);
    await fn(pool);
  } catch (error) {
    if (error instanceof HubSchemaTooNewError) fail(io, json, 'schema_too_new', error.message, '数据库版本比本程序新，请升级 gcterm');
    else fail(io, json, 'database', `PostgreSQL: ${(error as Error).message}`, '无法使用 PostgreSQL 数据库');
  } finally {
    await pool.end().catch(() => undefined);
  }
}

/**
 * The WeChat token provider of the hub, from the same variables and settings a terminal reads
 * (GCTERM_API_BASE, GCTERM_APPID + GCTERM_APPSECRET, GCTERM_TOKEN_URL, GCTERM_ACCESS_TOKEN, the
 * component settings in the hub's data dir). The component refresh token lives in PostgreSQL.
 */
export function hubTokenFactory(env: Readonly<Record<string, string | undefined>>): ((state: TokenState) => TokenProvider) | null {
  const config = loadConfig(defaultDataDir(env), env);
  const token = config.settings.token;
  const timeoutMs = config.settings.requestTimeoutMs;
  const apiBase = config.settings.apiBase;
  switch (token.provider) {
    case 'sandbox':
      return null;
    case 'static':
      return () => staticTokenProvider(token.accessToken);
    case 'relay':
      return () => relayTokenProvider(createHttp(token.url, timeoutMs), token.url);
    case 'appsecret':
      if (!apiBase) throw new ConfigError('the hub needs GCTERM_API_BASE (the WeChat API address) to fetch tokens with GCTERM_APPID/GCTERM_APPSECRET');
      return () => appSecretTokenProvider(createHttp(apiBase, timeoutMs), token);
    case 'component':
      if (!apiBase) throw new ConfigError('the hub needs GCTERM_API_BASE for component tokens');
      return (state) =>
        componentTokenProvider(createHttp(apiBase, timeoutMs), token, {
          load: () => state.refreshToken,
          save: (value) => {
            state.refreshToken = value;
          },
        });
  }
}

function reportCsv(rows: readonly ReportRow[]): string {
  const quote = (v: string | number | boolean) => {
    const s = String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [['store', 'terminal', 'cashier', 'state', 'offline', 'count', 'amount_fen', 'amount_yuan', 'shortfall_fen'].join(',')];
  for (const r of rows) lines.push([r.storeId, r.terminalId, r.cashier, r.state, r.offline ? 'yes' : 'no', r.count, r.amountFen, formatYuan(r.amountFen), r.shortfallFen].map(quote).join(','));
  return lines.join('\r\n');
}

export const registerHubCommands: RegisterCommand = (program: Command, io: CliIO) => {
  const hub = program.command('hub').description('the store hub for several counters (PostgreSQL) / 多收银台门店中心');

  hub
    .command('serve')
    .description('run the hub: tokens, card leases, journals / 运行门店中心')
    .option('--db <url>', 'postgres://user@host/db (or GCTERM_HUB_DB)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <n>', 'port (0: any free port)', '7480')
    .option('--tls-cert <file>', 'certificate (PEM) for HTTPS')
    .option('--tls-key <file>', 'private key (PEM) for HTTPS')
    .option('--allow-insecure', 'plain HTTP on a non-loopback address (a trusted network only)')
    .action(async (local: { db?: string; host: string; port: string; tlsCert?: string; tlsKey?: string; allowInsecure?: boolean }, command: Command) => {
      const { json } = globals(command);
      const url = dbUrl(io, json, local.db);
      if (!url) return;
      if (!/^\d{1,5}$/.test(local.port) || Number(local.port) > 65_535) return fail(io, json, 'invalid_request', `--port: expected 0–65535, got "${local.port}"`, '端口无效');
      if (Boolean(local.tlsCert) !== Boolean(local.tlsKey)) return fail(io, json, 'invalid_request', '--tls-cert and --tls-key go together', '--tls-cert 与 --tls-key 需同时提供');
      let tokens: ((state: TokenState) => TokenProvider) | null;
      try {
        tokens = hubTokenFactory(process.env);
      } catch (error) {
        return fail(io, json, 'config', (error as Error).message, '门店中心的微信凭据配置有误');
      }
      let running;
      try {
        running = await startHub({
          db: url,
          host: local.host,
          port: Number(local.port),
          tls: local.tlsCert && local.tlsKey ? { certFile: local.tlsCert, keyFile: local.tlsKey } : undefined,
          allowInsecure: local.allowInsecure,
          tokens,
        });
      } catch (error) {
        if (error instanceof HubConfigError) return fail(io, json, 'insecure', error.message, '非本机地址须使用 HTTPS（或明确指定 --allow-insecure）');
        if (error instanceof HubSchemaTooNewError) return fail(io, json, 'schema_too_new', error.message, '数据库版本比本程序新，请升级 gcterm');
        return fail(io, json, 'start', `the hub cannot start: ${(error as Error).message}`, '门店中心无法启动');
      }
      if (json) io.out(JSON.stringify({ url: running.url, pid: process.pid, tokens: tokens !== null }));
      else {
        io.out(`gcterm store hub / 门店中心: ${running.url}`);
        if (!tokens) io.out('  no WeChat credentials configured: counters get no tokens from this hub / 未配置微信凭据：不提供令牌');
        io.out('Press Ctrl+C to stop. / 按 Ctrl+C 停止。');
      }
      await untilSignal();
      await running.close();
    });

  hub
    .command('enrol')
    .description('a one-time code to enrol a counter (valid 15 minutes) / 生成收银台登记码')
    .argument('<terminal-id>', 'the counter, e.g. T02')
    .option('--db <url>', 'postgres://… (or GCTERM_HUB_DB)')
    .option('--store <store-id>', 'the store this counter belongs to')
    .action(async (terminalId: string, local: { db?: string; store?: string }, command: Command) => {
      const { json } = globals(command);
      if (!TerminalIdSchema.safeParse(terminalId).success || (local.store !== undefined && !TerminalIdSchema.safeParse(local.store).success)) {
        return fail(io, json, 'invalid_request', 'ids: letters, digits, . _ - (at most 64)', '编号只能包含字母、数字、. _ -（最多 64 个）');
      }
      const url = dbUrl(io, json, local.db);
      if (!url) return;
      await withDatabase(io, json, url, async (pool) => {
        const code = newEnrolmentCode();
        await new HubStore(pool).createEnrolment(terminalId, local.store ?? null, enrolmentCodeHash(code));
        if (json) io.out(JSON.stringify({ code, terminalId, expiresInMinutes: 15 }));
        else {
          io.out(`Enrolment code for ${terminalId} (valid 15 minutes, single use) / ${terminalId} 的登记码（15 分钟内有效，仅用一次）:`);
          io.out(`  ${code}`);
          io.out(`On the counter / 在收银台上运行: gcterm enrol <hub-url> ${code}`);
        }
      });
    });

  hub
    .command('revoke')
    .description('cut a counter off at once / 立即撤销收银台')
    .argument('<terminal-id>')
    .option('--db <url>', 'postgres://… (or GCTERM_HUB_DB)')
    .action(async (terminalId: string, local: { db?: string }, command: Command) => {
      const { json } = globals(command);
      const url = dbUrl(io, json, local.db);
      if (!url) return;
      await withDatabase(io, json, url, async (pool) => {
        const revoked = await new HubStore(pool).revoke(terminalId);
        if (!revoked) return fail(io, json, 'not_found', `no enrolled, unrevoked counter ${terminalId}`, `没有可撤销的收银台 ${terminalId}`);
        if (json) io.out(JSON.stringify({ revoked: terminalId }));
        else io.out(`${terminalId} revoked: its next request is refused / 已撤销 ${terminalId}：其后续请求将被拒绝`);
      });
    });

  hub
    .command('terminals')
    .description("the counters: last seen, queue depth, exposure, version / 收银台列表")
    .option('--db <url>', 'postgres://… (or GCTERM_HUB_DB)')
    .option('--store <store-id>')
    .action(async (local: { db?: string; store?: string }, command: Command) => {
      const { json } = globals(command);
      const url = dbUrl(io, json, local.db);
      if (!url) return;
      await withDatabase(io, json, url, async (pool) => {
        const rows = await listTerminals(pool, local.store);
        if (json) return io.out(JSON.stringify(rows));
        if (rows.length === 0) return io.out('No counters. / 没有收银台。');
        for (const t of rows) {
          const state = t.revoked ? 'REVOKED/已撤销' : t.enrolled ? '' : 'not enrolled/未登记';
          io.out(
            `${t.storeId.padEnd(10)} ${t.terminalId.padEnd(8)} seen ${t.lastSeenAt ?? '—'}  queue ${t.queueDepth} (${formatYuan(t.exposureFen)})  v${t.version ?? '?'}  ${state}${t.journalProblem ? `  ⚠ ${t.journalProblem}` : ''}`,
          );
        }
      });
    });

  hub
    .command('report')
    .description("the day across counters: per counter, cashier, state / 门店/连锁日报")
    .option('--db <url>', 'postgres://… (or GCTERM_HUB_DB)')
    .option('--date <YYYY-MM-DD>', 'the day (default: today)')
    .option('--store <store-id>', 'one store (default: the whole chain)')
    .option('--csv', 'CSV for a spreadsheet')
    .action(async (local: { db?: string; date?: string; store?: string; csv?: boolean }, command: Command) => {
      const { json } = globals(command);
      const date = local.date ?? localDate(Date.now());
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) return fail(io, json, 'invalid_request', '--date: YYYY-MM-DD', '日期格式应为 YYYY-MM-DD');
      const url = dbUrl(io, json, local.db);
      if (!url) return;
      await withDatabase(io, json, url, async (pool) => {
        const rows = await dayReport(pool, date, local.store);
        if (local.csv) return io.out(reportCsv(rows));
        const sum = (filter: (r: ReportRow) => boolean) => rows.filter(filter).reduce((acc, r) => ({ count: acc.count + r.count, fen: acc.fen + r.amountFen }), { count: 0, fen: 0 });
        const totals = {
          settled: sum((r) => r.state === 'settled'),
          voided: sum((r) => r.state === 'voided'),
          queued: sum((r) => r.state === 'queued'),
          offline: sum((r) => r.offline),
          needsReview: sum((r) => r.state === 'needs_review'),
          declined: sum((r) => r.state === 'declined'),
          shortfallFen: rows.reduce((acc, r) => acc + r.shortfallFen, 0),
        };
        if (json) return io.out(JSON.stringify({ date, store: local.store ?? null, totals, rows }));
        io.out(`${date}${local.store ? ` · ${local.store}` : ' · all stores / 全部门店'}`);
        io.out(`  settled / 已结算 ${totals.settled.count} · ${formatYuan(totals.settled.fen)}   voided / 已撤销 ${totals.voided.count} · ${formatYuan(totals.voided.fen)}`);
        io.out(`  offline / 离线 ${totals.offline.count} · ${formatYuan(totals.offline.fen)}   queued / 排队 ${totals.queued.count}   review / 待核查 ${totals.needsReview.count}   shortfall / 差额 ${formatYuan(totals.shortfallFen)}`);
        for (const r of rows) io.out(`  ${r.storeId} ${r.terminalId} ${r.cashier} ${r.state}${r.offline ? ' (offline)' : ''}: ${r.count} · ${formatYuan(r.amountFen)}`);
      });
    });

  program
    .command('enrol')
    .description('join a store hub with a code from `gcterm hub enrol` / 加入门店中心')
    .argument('<hub-url>', 'https://hub.example:7480')
    .argument('<code>', 'the one-time enrolment code')
    .option('--ca <file>', "the hub's certificate authority (PEM) when it is self-signed")
    .action(async (hubUrl: string, code: string, local: { ca?: string }, command: Command) => {
      const { json } = globals(command);
      let parsed: URL;
      try {
        parsed = new URL(hubUrl);
        if (!['http:', 'https:'].includes(parsed.protocol)) throw new Error('protocol');
      } catch {
        return fail(io, json, 'invalid_request', `not a hub address: ${hubUrl}`, `不是有效的门店中心地址：${hubUrl}`);
      }
      let ca: string | null = null;
      try {
        ca = local.ca ? readFileSync(local.ca, 'utf8') : null;
      } catch (error) {
        return fail(io, json, 'invalid_request', `--ca: ${(error as Error).message}`, '无法读取证书文件');
      }
      const dataDir = defaultDataDir(process.env);
      try {
        const enrolled = await enrolWithHub(dataDir, parsed.toString().replace(/\/+$/, ''), code, { ca, version: APP_VERSION });
        log.info(`enrolled as ${enrolled.terminalId} at ${enrolled.url} from ${hostname()}`);
        if (json) io.out(JSON.stringify({ terminalId: enrolled.terminalId, storeId: enrolled.storeId, hub: enrolled.url, file: join(dataDir, 'hub.json') }));
        else io.out(`Enrolled as ${enrolled.terminalId} (store ${enrolled.storeId}) at ${enrolled.url} / 已登记为 ${enrolled.terminalId}（门店 ${enrolled.storeId}）`);
      } catch (error) {
        if (error instanceof HubEnrolmentError) return fail(io, json, 'enrolment', error.message, '登记失败');
        throw error;
      }
    });
};
