import { fitTiers } from './fit-tiers';

/** Video tiers (protocol §3.3): longest side in pixels and kbps; H.264 in MP4. */
export const VIDEO_TIERS = [
  { name: 'vid.sd', size: 720, kbps: 1500 },
  { name: 'vid.md', size: 1280, kbps: 3000 },
  { name: 'vid.hd', size: 1920, kbps: 5000 },
  { name: 'vid.xd', size: 3840, kbps: 15000 },
] as const;

/** Audio tiers (protocol §3.3): Opus at these kbps. */
export const AUDIO_TIERS = [
  { name: 'aud.sd', kbps: 64 },
  { name: 'aud.md', kbps: 128 },
  { name: 'aud.hd', kbps: 256 },
] as const;

type VideoTierName = (typeof VIDEO_TIERS)[number]['name'];
type AudioTierName = (typeof AUDIO_TIERS)[number]['name'];

/**
 * What each preset makes of a video and of sound (the reference's presets): the video tiers, and
 * the audio tiers — of an audio upload always, of a video's sound only where the preset extracts
 * it (`podcast`). A video's image tiers are the preset's image tiers, from one frame.
 */
export const PRESET_MEDIA_TIERS: Readonly<
  Record<
    string,
    { video: readonly VideoTierName[]; audio: readonly AudioTierName[]; extractAudio?: true }
  >
> = {
  default: { video: ['vid.sd', 'vid.md', 'vid.hd'], audio: ['aud.md'] },
  high_quality: { video: ['vid.sd', 'vid.md', 'vid.hd', 'vid.xd'], audio: ['aud.md', 'aud.hd'] },
  mobile: { video: ['vid.sd', 'vid.md'], audio: ['aud.sd'] },
  video: { video: ['vid.sd', 'vid.md', 'vid.hd'], audio: [] },
  podcast: { video: ['vid.sd'], audio: ['aud.sd', 'aud.md', 'aud.hd'], extractAudio: true },
};

export interface PlannedVideoTier {
  name: VideoTierName;
  /** Longest side to fit in (never larger than the original). */
  size: number;
  kbps: number;
}

export interface PlannedAudioTier {
  name: AudioTierName;
  kbps: number;
}

/** The preset's video tiers for a video whose longest side is `longSide` ({@link fitTiers}). */
export function planVideoTiers(preset: string, longSide: number): PlannedVideoTier[] {
  return fitTiers(VIDEO_TIERS, new Set(PRESET_MEDIA_TIERS[preset]?.video ?? []), longSide).map(
    ({ name, size, kbps }) => ({ name, size, kbps }),
  );
}

/** The audio tiers for an upload: of sound itself, or of a video's sound where the preset says. */
export function planAudioTiers(
  preset: string,
  upload: { video: boolean; audio: boolean },
): PlannedAudioTier[] {
  const tiers = PRESET_MEDIA_TIERS[preset];
  if (!tiers || !upload.audio || (upload.video && !tiers.extractAudio)) return [];
  return AUDIO_TIERS.filter((tier) => tiers.audio.includes(tier.name)).map((tier) => ({
    name: tier.name,
    kbps: tier.kbps,
  }));
}
