/**
 * The tiers to make of an original whose longest side is `longSide` (protocol §3.3), in the
 * order given (smallest first): only those `wanted`, each fitted to the original (never
 * enlarged), skipping one less than 10 % larger than the tier kept below it — so a small original
 * gets one tier, not several near-copies of itself.
 */
export function fitTiers<T extends { name: string; size: number }>(
  tiers: readonly T[],
  wanted: ReadonlySet<string>,
  longSide: number,
): T[] {
  const planned: T[] = [];
  for (const tier of tiers) {
    if (!wanted.has(tier.name)) continue;
    const size = Math.min(tier.size, longSide);
    const below = planned.at(-1);
    if (below && size < below.size * 1.1) continue;
    planned.push({ ...tier, size });
    if (size === longSide) break;
  }
  return planned;
}
