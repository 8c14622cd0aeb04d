import { AppError, ValidationError } from '@cloudillo/protocol';

/** Media classes of variants (protocol §3.3). */
export type MediaClass = 'vis' | 'vid' | 'aud' | 'doc' | 'raw';

/** Video and sound: streamed (the stream size cap) and made into tiers by ffmpeg. */
export type StreamMedia = 'vid' | 'aud';

export function isStreamMedia(media: MediaClass): media is StreamMedia {
  return media === 'vid' || media === 'aud';
}

const ALL: readonly MediaClass[] = ['vis', 'vid', 'aud', 'doc', 'raw'];
const MEDIA: readonly MediaClass[] = ['vis', 'vid', 'aud'];

/** Upload presets (protocol §3.3) and the media classes each accepts. */
export const PRESETS: Readonly<Record<string, readonly MediaClass[]>> = {
  default: ALL,
  file: ALL,
  'orig-only': ALL,
  archive: ALL,
  site: ALL,
  high_quality: MEDIA,
  mobile: MEDIA,
  podcast: ['aud'],
  video: ['vid'],
  'profile-picture': ['vis'],
  cover: ['vis'],
  'thumbnail-only': ['vis'],
  apkg: ['raw', 'doc'],
};

const MIME = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

/** A content type as one lower-case MIME type without parameters; undefined when malformed. */
export function normalMime(contentType: string): string | undefined {
  const mime = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return MIME.test(mime) ? mime : undefined;
}

/** The MIME type of an upload (or a synced file), without parameters; a malformed one is refused. */
export function mimeOf(contentType: string | undefined): string {
  const mime = normalMime(contentType ?? 'application/octet-stream');
  if (!mime) throw new ValidationError(`not a MIME type: ${contentType ?? ''}`);
  return mime;
}

export function mediaClassOf(mime: string): MediaClass {
  if (mime.startsWith('image/')) return 'vis';
  if (mime.startsWith('video/')) return 'vid';
  if (mime.startsWith('audio/')) return 'aud';
  if (mime === 'application/pdf' || mime.startsWith('text/')) return 'doc';
  return 'raw';
}

/** The preset's rule for this MIME type: unknown preset 400, a class it does not take 415. */
export function checkPreset(preset: string, mime: string): MediaClass {
  const accepted = PRESETS[preset];
  if (!accepted) throw new ValidationError(`unknown preset ${preset}`);
  const media = mediaClassOf(mime);
  if (!accepted.includes(media)) {
    throw new AppError('E-CORE-UNSUPPORTED', `preset ${preset} does not take ${mime}`);
  }
  return media;
}

/** The short format name a descriptor carries (`f=`): the MIME subtype, simplified. */
export function formatOf(mime: string): string {
  const sub = mime.split('/')[1] ?? '';
  const simple = sub.replace(/^(x-|vnd\.)/, '').replace(/[^a-z0-9]/g, '');
  return simple.slice(0, 16) || 'bin';
}

/** The MIME type of a variant's bytes: the upload's for `orig`, the encoding's for tiers. */
export function variantMime(variant: string, format: string, fileMime: string): string {
  if (variant.startsWith('vis.')) return `image/${format}`;
  if (variant.startsWith('vid.')) return `video/${format}`;
  // Opus tiers are Ogg files.
  if (variant.startsWith('aud.')) return format === 'opus' ? 'audio/ogg' : `audio/${format}`;
  return fileMime;
}
