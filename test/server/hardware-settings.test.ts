import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCore, type Core } from '../../src-main/core.ts';
import { startHardwareScanners, type HardwareScanners } from '../../src-main/shell/hardware-scanners.ts';
import { startTestSim, type TestSim } from '../helpers/sim.ts';
import { tempDir, terminalEnv } from '../helpers/terminal.ts';
import { until } from '../helpers/until.ts';

let sim: TestSim;
beforeAll(async () => {
  sim = await startTestSim();
});
afterAll(async () => sim.close());

describe('scanner settings saved by a manager', () => {
  it('reach the running serial scanner without a restart', async () => {
    const dir = tempDir();
    let core: Core | null = null;
    let hardware: HardwareScanners | null = null;
    try {
      core = await openCore({ dataDir: dir.path, env: terminalEnv(sim.url, dir.path) });
      hardware = startHardwareScanners(core);
      const scanners = (c: Core) => async () => {
        const status = await c['status:get']({});
        return status.ok ? status.value.scanners.map((s) => s.device) : [];
      };
      const saved = await core['settings:update']({
        managerPin: '9999',
        patch: { scanners: { serial: { enabled: true, path: '/dev/gcterm-test-scanner-a' } } },
      });
      expect(saved.ok).toBe(true);
      // Nothing is plugged in there: the status bar names the configured port as not connected.
      expect(await until(scanners(core), (d) => d.includes('/dev/gcterm-test-scanner-a'), 'the first scanner to be seen')).toContain('/dev/gcterm-test-scanner-a');
      await core['settings:update']({ managerPin: '9999', patch: { scanners: { serial: { enabled: true, path: '/dev/gcterm-test-scanner-b' } } } });
      const devices = await until(scanners(core), (d) => d.includes('/dev/gcterm-test-scanner-b'), 'the changed path to reach the running scanner');
      expect(devices).not.toContain('/dev/gcterm-test-scanner-a');
    } finally {
      await hardware?.stop();
      await core?.close();
      dir.remove();
    }
  });
});
