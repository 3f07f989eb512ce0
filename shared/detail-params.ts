/**
 * A journaled redemption keeps the parameters of its reason (the offline limit it hit, who holds
 * the card, how much a partial redemption took) as a JSON object in `detail`; they fill the
 * reason message's slots. One reading of it for the UI, the CLI and the CSV.
 */
export function detailParams(detail: string | null): Readonly<Record<string, string | number>> | undefined {
  if (!detail || !detail.startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(detail);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
    const params: Record<string, string | number> = {};
    for (const [key, value] of Object.entries(parsed)) if (typeof value === 'string' || typeof value === 'number') params[key] = value;
    return params;
  } catch {
    return undefined;
  }
}
