import { type FileWithVariants } from './files.repository';

/** The variant asked for, or the fallbacks of protocol §3.3, or the largest there is. */
const FALLBACKS: Record<string, readonly string[]> = {
  'vis.sd': ['vis.sd', 'vis.md', 'vis.tn', 'vis.pf'],
  'vis.orig': ['orig', 'vis.xd', 'vis.hd'],
  orig: ['orig', 'vis.xd', 'vis.hd'],
};

export function chooseVariant(
  file: FileWithVariants,
  asked: string | undefined,
): FileWithVariants['variants'][number] | undefined {
  const byName = new Map(file.variants.map((v) => [v.variant, v]));
  for (const name of asked ? (FALLBACKS[asked] ?? [asked]) : []) {
    const found = byName.get(name);
    if (found) return found;
  }
  return [...file.variants].sort((a, b) => Number(b.size - a.size))[0];
}
