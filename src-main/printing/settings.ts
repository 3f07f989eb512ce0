/** The receipt printer's settings (settings.json `printer`; GCTERM_PRINTER overrides the URL). */
import { z } from 'zod';
import { parsePrinterUrl } from './target.ts';

export const PrinterSettingsSchema = z.object({
  /** tcp://host:9100, serial:/dev/ttyUSB0?baud=9600, file:/dev/usb/lp0, dialog or none. */
  url: z
    .string()
    .max(300)
    .default('none')
    .refine((url) => parsePrinterUrl(url).ok, { message: 'not a printer address: tcp://host:9100, serial:PATH?baud=N, file:PATH, dialog or none' }),
  paperWidth: z.union([z.literal(58), z.literal(80)]).default(80),
  /** Print the customer's receipt after each settled, queued or voided redemption. */
  autoPrint: z.boolean().default(true),
  /** Printed at the top of every receipt; empty: "礼品卡收银". */
  storeName: z.string().max(40).default(''),
});
export type PrinterSettings = z.infer<typeof PrinterSettingsSchema>;

export const DEFAULT_PRINTER_SETTINGS: PrinterSettings = PrinterSettingsSchema.parse({});
