import { VISIBILITIES, type Visibility } from '@cloudillo/protocol';
import { z } from 'zod';

/**
 * How close the caller is to the tenant, lowest first. A section marked `<field>.vis = v` is shown
 * to callers at or above the tier `v` needs; sections without a marker are public.
 */
export const CALLER_TIERS = ['public', 'verified', 'follower', 'connected', 'owner'] as const;
export type CallerTier = (typeof CALLER_TIERS)[number];

const NEEDED_TIER: Record<Visibility, CallerTier> = {
  P: 'public',
  V: 'verified',
  F: 'follower',
  C: 'connected',
  // Second degree, subscribers and direct have no meaning for a profile: only the owner sees them.
  '2': 'owner',
  S: 'owner',
  D: 'owner',
};

const VIS_SUFFIX = '.vis';
export const MAX_SECTIONS = 64;
export const MAX_SECTION_CHARS = 4096;
const sectionKey = /^[A-Za-z][A-Za-z0-9_-]{0,63}(\.vis)?$/;

/** The sections `tier` may see; the `.vis` markers themselves only for the owner. */
export function visibleSections(
  x: Record<string, string>,
  tier: CallerTier,
): Record<string, string> {
  if (tier === 'owner') return { ...x };
  const rank = CALLER_TIERS.indexOf(tier);
  const visible: Record<string, string> = {};
  for (const [key, value] of Object.entries(x)) {
    if (key.endsWith(VIS_SUFFIX)) continue;
    const marker = x[`${key}${VIS_SUFFIX}`] as Visibility | undefined;
    const needed = marker ? NEEDED_TIER[marker] : 'public';
    if (CALLER_TIERS.indexOf(needed) <= rank) visible[key] = value;
  }
  return visible;
}

/** A `PATCH` of sections: a string sets, `null` removes. */
export const sectionsPatchSchema = z
  .record(
    z
      .string()
      .regex(sectionKey, 'section names are letters, digits, _ or - (≤ 64), optionally .vis'),
    z.string().max(MAX_SECTION_CHARS).nullable(),
  )
  .superRefine((patch, ctx) => {
    for (const [key, value] of Object.entries(patch)) {
      if (
        key.endsWith(VIS_SUFFIX) &&
        value !== null &&
        !(VISIBILITIES as readonly string[]).includes(value)
      ) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `visibility is one of ${VISIBILITIES.join(' ')}`,
        });
      }
    }
  });

/** Applies a patch; undefined when the result would hold more than MAX_SECTIONS entries. */
export function applySectionsPatch(
  current: Record<string, string>,
  patch: Record<string, string | null>,
): Record<string, string> | undefined {
  const next = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  return Object.keys(next).length > MAX_SECTIONS ? undefined : next;
}
