/**
 * What the command line says and how it exits (issue 13, item 7), as a cashier's script or an
 * installer sees it: bad input exits 1 and is never called "declined"; dates and languages are
 * checked with a clear message; usage errors in Chinese by default and English on request; the
 * CSV in words with a date range; receipts reprinted on a virtual printer; the Z-report with
 * its PDF; `serve` names the embedded simulator.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CSV_HEADER, CSV_HEADERS } from '../../src-main/journal/export.ts';
import { localDate } from '../../src-main/journal/redemptions.ts';
import { DEMO_MERCHANT_ID } from '../../src-main/sim/index.ts';
import { decodeEscPos } from '../printing/helpers/escpos-decode.ts';
import { pdfText } from '../printing/helpers/pdf-text.ts';
import { hasCut, startTcpPrinter } from '../printing/helpers/virtual-printer.ts';
import { startTestSim, type TestSim } from '../helpers/sim.ts';
import { tempDir, terminalEnv } from '../helpers/terminal.ts';
import { gcterm, parseCsv } from './run-gcterm.ts';

let sim: TestSim;
let dir: ReturnType<typeof tempDir>;
let env: Record<string, string>;

beforeAll(async () => {
  sim = await startTestSim();
});
afterAll(async () => sim.close());
beforeEach(() => {
  dir = tempDir('gcterm-cli13-');
  env = terminalEnv(sim.url, dir.path);
});
afterEach(() => dir.remove());

const run = (...args: string[]) => gcterm(args, env);
const giftCard = (balanceFen: number) => sim.createCard({ balanceFen, merchantId: DEMO_MERCHANT_ID, title: '礼品卡' });

describe('bad input exits 1 and is never "declined"', () => {
  it('lookup 123: the code is not a card code', async () => {
    const zh = await run('lookup', '123');
    expect(zh.code).toBe(1);
    expect(zh.stderr).toContain('✘ 输入有误：');
    expect(zh.stderr).not.toContain('拒绝');
    const en = await run('lookup', '123', '--lang', 'en');
    expect(en.code).toBe(1);
    expect(en.stderr).toContain('✘ Invalid input: ');
    expect(en.stderr).not.toContain('DECLINED');
  });

  it('an amount with three decimals is bad input; a card without the money is a decline (2)', async () => {
    const card = await giftCard(1_000);
    const bad = await run('redeem', card.code, '1.005', '--lang', 'en');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/Invalid input: .*decimal/i);
    const declined = await run('redeem', card.code, '20', '--lang', 'en');
    expect(declined.code).toBe(2);
    expect(declined.stdout).toContain('DECLINED: Insufficient balance');
    expect((await sim.code(card.code)).balanceFen).toBe(1_000);
  });

  it('a date that does not exist is named as such, in both languages', async () => {
    const zh = await run('journal', '--date', '2026-13-45');
    expect(zh.code).toBe(1);
    expect(zh.stderr).toContain('日期无效：“2026-13-45”');
    const en = await run('journal', '--date', '2026-13-45', '--lang', 'en');
    expect(en.code).toBe(1);
    expect(en.stderr).toContain('Invalid date "2026-13-45"');
    expect(en.stderr).not.toMatch(/invalid request/i);
    const reversed = await run('journal', '--csv', '--from', '2026-03-02', '--to', '2026-03-01', '--lang', 'en');
    expect(reversed.code).toBe(1);
    expect(reversed.stderr).toContain('2026-03-02 is after 2026-03-01');
  });

  it('--lang fr is refused with a message; en-US and zh are understood', async () => {
    const fr = await run('--lang', 'fr', 'journal');
    expect(fr.code).toBe(1);
    expect(fr.stderr).toContain('不支持的语言：“fr”');
    expect(fr.stderr).toContain('unsupported language "fr"');
    expect((await run('--lang', 'en-US', 'journal')).stdout).toContain('No redemptions');
    expect((await run('--lang', 'zh', 'journal')).stdout).toContain('没有记录');
  });

  it('unknown commands, options and missing arguments are said in Chinese by default, English on request', async () => {
    const zh = await run('frobnicate');
    expect(zh.code).toBe(1);
    expect(zh.stderr.trim()).toBe('未知命令：“frobnicate”。运行 gcterm --help 查看全部命令。');
    const en = await gcterm(['frobnicate'], { ...env, GCTERM_LANG: 'en' });
    expect(en.stderr.trim()).toBe('Unknown command "frobnicate". Run gcterm --help for the list.');
    const missing = await run('redeem', '688000000001');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('缺少参数：amount');
    const option = await run('journal', '--colour', '--lang', 'en');
    expect(option.code).toBe(1);
    expect(option.stderr).toContain('Unknown option --colour');
  });
});

describe('decode and sim speak the user’s language too', () => {
  it('decode: a missing file and an image without a code, in Chinese by default', async () => {
    const missing = await run('decode', join(dir.path, 'missing.png'));
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('✘ 文件不存在');
    const en = await run('decode', join(dir.path, 'missing.png'), '--lang', 'en');
    expect(en.stdout).toContain('✘ no such file');
    const roi = await run('decode', 'x.png', '--roi', 'nonsense');
    expect(roi.stderr).toContain('--roi 应为图片中的比例');
  });

  it('sim: a bad port is bad input (exit 1), said in the chosen language', async () => {
    const zh = await run('sim', '--port', 'abc');
    expect(zh.code).toBe(1);
    expect(zh.stderr).toContain('--port 应为 0 到 65535 的数字，而不是“abc”');
    const en = await run('sim', '--port', 'abc', '--lang', 'en');
    expect(en.stderr).toContain('--port must be a number from 0 to 65535, not "abc"');
  });
});

describe('CSV export', () => {
  it('Chinese headers, states and reasons by default, English by choice, over a date range', async () => {
    const card = await giftCard(10_000);
    expect((await run('redeem', card.code, '12.50')).code).toBe(0);
    expect((await run('redeem', card.code, '500')).code).toBe(2);
    const today = localDate(Date.now());
    const zh = await run('journal', '--csv', '--from', localDate(Date.now() - 2 * 86_400_000), '--to', today);
    expect(zh.code).toBe(0);
    const [header, ...rows] = parseCsv(zh.stdout.split(/\r?\n/).filter((l) => !l.startsWith('#')).join('\r\n'));
    expect(header).toEqual(CSV_HEADER.map((key) => CSV_HEADERS['zh-CN'][key]));
    expect(header?.slice(0, 3)).toEqual(['交易号', '时间', '终端']);
    const at = (name: (typeof CSV_HEADER)[number]) => CSV_HEADER.indexOf(name);
    expect(rows.map((r) => [r[at('amount')], r[at('state')], r[at('reason')], r[at('type')], r[at('offline')]])).toEqual([
      ['12.50', '成功', '', '礼品卡', '否'],
      ['500.00', '拒绝', '余额不足', '礼品卡', '否'],
    ]);
    // No snake_case anywhere a manager reads.
    expect(zh.stdout).not.toMatch(/insufficient_balance|settled|declined|GIFT_CARD/);
    // A range that ends before today lists nothing of today.
    const before = await run('journal', '--csv', '--from', '2001-01-01', '--to', '2001-01-31');
    expect(parseCsv(before.stdout.split(/\r?\n/).filter((l) => !l.startsWith('#')).join('\r\n'))).toHaveLength(1);
  });
});

describe('gcterm receipt, shift and zreport', () => {
  it('reprints a receipt from the journal by the first characters of its id', async () => {
    const printer = await startTcpPrinter();
    try {
      const card = await giftCard(10_000);
      const redeemed = JSON.parse((await run('redeem', card.code, '35.50', '--json')).stdout) as { id: string };
      const printed = await run('receipt', redeemed.id.slice(0, 8), '--printer', printer.url);
      expect(printed.code).toBe(0);
      expect(printed.stdout).toContain(`✔ 小票已打印（${printer.url}）`);
      const paper = decodeEscPos(await printer.waitFor(hasCut));
      expect(paper.qr).toEqual([redeemed.id]);
      expect(paper.lines.map((l) => l.trim())).toContain('*** 重印 ***');
      expect(paper.lines.find((l) => l.startsWith('消费金额'))).toMatch(/￥35\.50$/);
      printer.mood = 'paper_out';
      const out = await run('receipt', redeemed.id, '--printer', printer.url, '--lang', 'en');
      expect(out.code).toBe(1);
      expect(out.stderr).toContain('Receipt not printed');
      expect(out.stderr).toContain('out of paper');
      const unknown = await run('receipt', 'ffffffff', '--printer', printer.url);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('找不到交易 ffffffff');
      const bad = await run('receipt', redeemed.id, '--printer', 'lpt1', '--lang', 'en');
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('printer: "lpt1" is not understood');
    } finally {
      await printer.close();
    }
  });

  it('a shift, its handover, and the day’s Z-report with a running number and a PDF', async () => {
    const shiftEnv = { ...env, GCTERM_CASHIER: '收银员7' };
    expect((await gcterm(['shift', 'open'], shiftEnv)).stdout).toContain('已开班：收银员7');
    const card = await giftCard(10_000);
    expect((await gcterm(['redeem', card.code, '20'], shiftEnv)).code).toBe(0);
    const closed = await gcterm(['shift', 'close'], shiftEnv);
    expect(closed.code).toBe(0);
    expect(closed.stdout).toContain('交班报表');
    expect(closed.stdout).toMatch(/成功扣款\s+1 笔  ￥20\.00/);
    expect((await gcterm(['shift', 'close'], shiftEnv)).stderr).toContain('收银员7 没有未交班的班次');
    const pdfPath = join(dir.path, 'z.pdf');
    const z = await run('zreport', '--pdf', pdfPath);
    expect(z.code).toBe(0);
    expect(z.stdout).toContain(`✔ Z 报表 Z0001（${localDate(Date.now())}）已生成`);
    expect(z.stdout).toMatch(/收银员7\s+1 笔  ￥20\.00/);
    const pdf = pdfText(readFileSync(pdfPath));
    expect(pdf.pages).toBe(1);
    expect(pdf.lines).toEqual(expect.arrayContaining(['Z0001', '收银员7']));
    const again = await run('zreport', '--lang', 'en');
    expect(again.stdout).toContain('was taken before: this is a reprint');
    expect((await run('zreport', '--date', '2026-02-30')).stderr).toContain('日期无效');
  });
});

describe('gcterm serve', () => {
  it('prints the embedded simulator’s address beside the UI’s', async () => {
    const child = spawn(process.execPath, [join(import.meta.dirname, '../../bin/gcterm.js'), 'serve', '--port', '0'], {
      env: { PATH: process.env.PATH ?? '', HOME: dir.path, GCTERM_DATA_DIR: dir.path },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const output = await new Promise<string>((resolve, reject) => {
        let text = '';
        const timer = setTimeout(() => reject(new Error(`serve printed no simulator address: ${text}`)), 45_000);
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          text += chunk;
          if (/Ctrl\+C/.test(text)) {
            clearTimeout(timer);
            resolve(text);
          }
        });
        child.on('exit', () => reject(new Error(`serve exited: ${text}`)));
      });
      const address = /simulator \/ 模拟器:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      expect(address).toBeDefined();
      // It is the simulator indeed: its admin API answers.
      const codes = await fetch(`${address}/sim/codes/688000000001`);
      expect(codes.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });
});
