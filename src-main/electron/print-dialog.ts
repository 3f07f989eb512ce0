/**
 * The desktop fallback for receipts (printer `dialog`): the receipt's HTML page in a hidden
 * window, printed through the OS print dialog (webContents.print), so any printer the OS has a
 * driver for works — a Windows receipt printer driver, an office printer. Electron only: it
 * cannot run in the tests here (no Electron runtime), so it is kept this small; everything it
 * prints is the HTML of printing/preview.ts, which is tested.
 */
import type { DialogPrinter } from '../printing/service.ts';

/** The part of Electron's BrowserWindow this uses (structurally; electron-types.ts has the rest). */
type PrintWindow = {
  loadURL(url: string): Promise<void>;
  close(): void;
  readonly webContents: {
    print(options: Readonly<Record<string, unknown>>, callback: (success: boolean, failureReason: string) => void): void;
  };
};

export function createDialogPrinter(BrowserWindow: new (options: Readonly<Record<string, unknown>>) => PrintWindow): DialogPrinter {
  return async (html) => {
    // No script, no node, no preload: the page is the receipt's static HTML and nothing else.
    const win = new BrowserWindow({ show: false, webPreferences: { javascript: false, sandbox: true, contextIsolation: true, nodeIntegration: false } });
    try {
      await win.loadURL(`data:text/html;charset=utf-8,${encodeURIComponent(html)}`);
      return await new Promise<boolean>((resolve, reject) => {
        win.webContents.print({ silent: false, printBackground: true }, (success, failureReason) => {
          if (success) resolve(true);
          else if (/cancel/i.test(failureReason)) resolve(false);
          else reject(new Error(failureReason || 'print failed'));
        });
      });
    } finally {
      win.close();
    }
  };
}
