import { ConflictError } from '@cloudillo/protocol';

const SUFFIXES = 'bcdefghijklmnopqrstuvwxyz';

/** The UTC date as `yymmdd` (protocol §1.3). */
export function dateKeyId(date: Date): string {
  const yy = String(date.getUTCFullYear() % 100).padStart(2, '0');
  const mm = String(date.getUTCMonth() + 1).padStart(2, '0');
  const dd = String(date.getUTCDate()).padStart(2, '0');
  return `${yy}${mm}${dd}`;
}

/**
 * The id of a tenant's next key. The first key of a day is `yymmdd` as in the reference; a second
 * one the same day (a rotation after a compromise, say) is `yymmddb`, then `yymmddc`…: ids stay
 * unique per tenant and the newest still sorts greatest, which is the key that signs.
 */
export function nextKeyId(date: Date, existing: readonly string[]): string {
  const base = dateKeyId(date);
  const sameDay = existing.filter((id) => id.startsWith(base));
  if (sameDay.length === 0) return base;
  const next = SUFFIXES[sameDay.length - 1];
  if (next === undefined) throw new ConflictError(`too many keys made on ${base}`);
  return `${base}${next}`;
}
