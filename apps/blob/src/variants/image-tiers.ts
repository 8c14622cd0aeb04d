import { fitTiers } from './fit-tiers';

/** Image variant tiers (protocol §3.3): longest side in pixels; `pf` is AVIF, the rest webp. */
export const IMAGE_TIERS = [
  { name: 'vis.pf', size: 80, format: 'avif' },
  { name: 'vis.tn', size: 256, format: 'webp' },
  { name: 'vis.sd', size: 720, format: 'webp' },
  { name: 'vis.md', size: 1280, format: 'webp' },
  { name: 'vis.hd', size: 1920, format: 'webp' },
  { name: 'vis.xd', size: 3840, format: 'webp' },
] as const;

export type ImageTierName = (typeof IMAGE_TIERS)[number]['name'];

/** The image tiers each preset builds (protocol §3.3; `orig` is always kept). */
export const PRESET_IMAGE_TIERS: Readonly<Record<string, readonly ImageTierName[]>> = {
  default: ['vis.tn', 'vis.sd', 'vis.md', 'vis.hd'],
  high_quality: ['vis.tn', 'vis.sd', 'vis.md', 'vis.hd', 'vis.xd'],
  mobile: ['vis.tn', 'vis.sd', 'vis.md'],
  'profile-picture': ['vis.pf', 'vis.tn', 'vis.sd'],
  cover: ['vis.tn', 'vis.sd', 'vis.md', 'vis.hd'],
  'thumbnail-only': ['vis.tn'],
  site: ['vis.tn', 'vis.sd', 'vis.md', 'vis.hd'],
  // Presets for video and sound: the tiers of a video's still.
  video: ['vis.tn', 'vis.sd', 'vis.md', 'vis.hd'],
  podcast: ['vis.tn'],
};

export interface PlannedTier {
  name: ImageTierName;
  /** Longest side to resize to (never larger than the original). */
  size: number;
  format: 'avif' | 'webp';
}

/** The preset's image tiers for an image whose longest side is `longSide` ({@link fitTiers}). */
export function planImageTiers(preset: string, longSide: number): PlannedTier[] {
  return fitTiers(IMAGE_TIERS, new Set(PRESET_IMAGE_TIERS[preset] ?? []), longSide).map(
    ({ name, size, format }) => ({ name, size, format }),
  );
}
