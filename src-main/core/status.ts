/** The status bar's view: connectivity, the offline queue, reviews waiting, the session. */
import type { SessionView, StatusView } from '../../shared/contract.ts';
import { withScannerDefaults, type ScannerSettingsPatch } from '../../shared/scan/settings.ts';
import { countNeedsReview } from '../journal/counts.ts';
import { queueStatus } from '../journal/queue.ts';
import type { CoreContext } from './context.ts';
import { printerStatusOf } from './paper.ts';

export function sessionView(ctx: CoreContext): SessionView {
  const session = ctx.state.session;
  return { signedIn: session !== null, name: session?.name ?? null, role: session?.role ?? null };
}

export function statusView(ctx: CoreContext): StatusView {
  const { terminal } = ctx;
  const queue = queueStatus(terminal.db);
  const connectivity = terminal.connectivity.status;
  return {
    terminalId: ctx.settings.current.terminalId,
    sandbox: terminal.config.sandbox,
    online: connectivity.online,
    since: connectivity.since,
    queueDepth: queue.depth,
    queuedFen: queue.queuedFen,
    oldestQueuedAt: queue.oldestQueuedAt,
    offlineExposureLimitFen: terminal.config.settings.offline.maxExposureFen,
    needsReview: countNeedsReview(terminal.db),
    session: sessionView(ctx),
    scanners: ctx.state.scanners,
    scannerSettings: withScannerDefaults(ctx.settings.current.scanners as ScannerSettingsPatch),
    language: ctx.state.language,
    setupNeeded: ctx.state.setupNeeded,
    printer: printerStatusOf(terminal),
    hub: terminal.hub ? { ...terminal.hub.client.link.status, storeId: terminal.hub.client.enrolment.storeId } : null,
  };
}
