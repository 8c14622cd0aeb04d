import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { AppError, ValidationError } from '@cloudillo/protocol';
import { type BlobStore, uploadHashed } from '@cloudillo/storage';

import { type BlobConfig } from '../config';
import { type NewVariant } from '../files/files.repository';
import { type StreamMedia } from '../files/media';
import { BLOB_CONFIG, BLOB_STORE } from '../tokens';
import { Ffmpeg, type MediaInfo, MediaToolError } from './ffmpeg';
import { LocalCopy } from './local-copy';
import { planImageTiers } from './image-tiers';
import { ImageVariants } from './image-variants';
import { planAudioTiers, planVideoTiers } from './media-tiers';

/** What is known of an upload at once (an image's or a video's size and thumbnail, a length). */
export interface FirstVariants {
  width?: number;
  height?: number;
  duration?: number;
  thumbnail?: NewVariant;
  /** More tiers follow from the variant job: the file waits for its content id. */
  pending: boolean;
}

/** Where in a video its still is taken: past an intro, but inside a short clip. */
function stillAt(duration: number): number {
  if (duration > 10) return Math.min(Math.max(duration * 0.1, 3), duration - 1);
  return duration > 1 ? duration / 2 : 0;
}

/**
 * Video and audio variants (protocol §3.3) with ffmpeg: at upload the original is probed (what is
 * not a readable video or sound is refused, a video over the pixel cap too), a video gets its size,
 * duration and a thumbnail from a still; the variant job makes the video tiers (H.264/MP4), the
 * audio tiers (Opus) and a video's image tiers from the same still. ffmpeg works on a local copy
 * of the original (written while the upload streams in; fetched from the store for the job),
 * removed after. Without ffmpeg (said once at start),
 * video and sound keep their original only.
 */
@Injectable()
export class MediaVariants implements OnModuleInit {
  private readonly logger = new Logger(MediaVariants.name);
  private readonly ffmpeg: Ffmpeg;
  private enabled = false;

  constructor(
    private readonly images: ImageVariants,
    @Inject(BLOB_STORE) private readonly store: BlobStore,
    @Inject(BLOB_CONFIG) private readonly config: BlobConfig,
  ) {
    this.ffmpeg = new Ffmpeg(config.media);
  }

  async onModuleInit(): Promise<void> {
    this.enabled = await this.ffmpeg.available();
    if (!this.enabled)
      this.logger.warn(
        `${this.config.media.ffmpeg} or ${this.config.media.ffprobe} cannot be run: ` +
          'video and audio uploads keep their original only',
      );
  }

  /**
   * Where an upload of video or sound is copied while it streams in, for `firstVariants`; undefined
   * when ffmpeg is not here (the original is all there will be). The caller disposes of it.
   */
  async localCopy(): Promise<LocalCopy | undefined> {
    return this.enabled ? LocalCopy.create(this.config.media.tmpDir) : undefined;
  }

  /** At upload, from the local copy of the original. */
  async firstVariants(copy: LocalCopy, preset: string, media: StreamMedia): Promise<FirstVariants> {
    const { dir, path } = copy;
    const info = await this.probe(path, media);
    const duration = info.duration;
    if (!info.video) {
      const pending = planAudioTiers(preset, { video: false, audio: info.audio }).length > 0;
      return { duration, pending };
    }
    const still = join(dir, 'still.png');
    await this.ffmpeg.frame(path, stillAt(duration), still).catch((error: unknown) => {
      throw this.clientError(error, media);
    });
    const image = await this.images.firstVariants(async () => createReadStream(still), preset);
    const longSide = Math.max(info.video.width, info.video.height);
    const pending =
      image.pending ||
      planVideoTiers(preset, longSide).length > 0 ||
      planAudioTiers(preset, { video: true, audio: info.audio }).length > 0;
    return {
      ...info.video,
      duration,
      ...(image.thumbnail ? { thumbnail: image.thumbnail } : {}),
      pending,
    };
  }

  /**
   * The preset's tiers a file does not have yet, each stored as it is made: a video's image tiers
   * (from its still), then sound, then video from the smallest up. A tier ffmpeg cannot make is
   * logged and left out, so the file still gets its id with what could be made.
   */
  async *missingTiers(
    origKey: string,
    preset: string,
    have: ReadonlySet<string>,
  ): AsyncGenerator<NewVariant> {
    if (!this.enabled) return;
    const copy = await this.copyOf(origKey);
    const { dir, path } = copy;
    try {
      const info = await this.tool('the original', () => this.ffmpeg.probe(path));
      if (!info) return;
      if (info.video) {
        const longSide = Math.max(info.video.width, info.video.height);
        const still = join(dir, 'still.png');
        const wantsStill = planImageTiers(preset, longSide).some((tier) => !have.has(tier.name));
        const stillMade =
          wantsStill &&
          (await this.tool('the still', async () => {
            await this.ffmpeg.frame(path, stillAt(info.duration), still);
            return true;
          }));
        if (stillMade)
          yield* this.images.missingTiers(
            async () => createReadStream(still),
            preset,
            longSide,
            have,
          );
      }
      for (const tier of planAudioTiers(preset, { video: !!info.video, audio: info.audio })) {
        if (have.has(tier.name)) continue;
        const out = join(dir, `${tier.name}.ogg`);
        const made = await this.tool(tier.name, async () => {
          await this.ffmpeg.audio(path, out, tier.kbps);
          return this.ffmpeg.probe(out);
        });
        if (made)
          yield await this.storeOutput(out, tier.name, 'opus', 'audio/ogg', tier.kbps, made);
      }
      const longSide = info.video ? Math.max(info.video.width, info.video.height) : 0;
      for (const tier of planVideoTiers(preset, longSide)) {
        if (have.has(tier.name)) continue;
        const out = join(dir, `${tier.name}.mp4`);
        const made = await this.tool(tier.name, async () => {
          await this.ffmpeg.video(path, out, tier.size, tier.kbps);
          return this.ffmpeg.probe(out);
        });
        if (made) yield await this.storeOutput(out, tier.name, 'mp4', 'video/mp4', tier.kbps, made);
      }
    } finally {
      await copy.dispose();
    }
  }

  /**
   * One ffmpeg step of the job: what it gives, or undefined when the tool failed (logged; the job
   * goes on without it). Anything else is thrown, for the job's retries.
   */
  private async tool<T>(what: string, step: () => Promise<T>): Promise<T | undefined> {
    try {
      return await step();
    } catch (error) {
      if (!(error instanceof MediaToolError)) throw error;
      this.logger.warn(`left out ${what}: ${error.message}`);
      return undefined;
    }
  }

  /** A made tier into the store, hashed while it streams; `info`: what ffprobe read in it. */
  private async storeOutput(
    path: string,
    name: string,
    format: string,
    mime: string,
    kbps: number,
    info: MediaInfo,
  ): Promise<NewVariant> {
    const objectKey = `o/${randomUUID()}`;
    const stored = await uploadHashed(
      this.store,
      objectKey,
      createReadStream(path),
      Number.MAX_SAFE_INTEGER,
      mime,
    );
    return {
      name,
      blobId: stored.blobId,
      format,
      size: stored.size,
      objectKey,
      ...(info.video ? info.video : {}),
      ...(info.duration ? { duration: info.duration } : {}),
      bitrate: kbps,
    };
  }

  /** What the upload is, checked against what it claims to be and the pixel cap. */
  private async probe(path: string, media: StreamMedia): Promise<MediaInfo> {
    let info: MediaInfo;
    try {
      info = await this.ffmpeg.probe(path);
    } catch (error) {
      throw this.clientError(error, media);
    }
    if (media === 'vid' ? !info.video : !info.audio)
      throw new ValidationError(`not a readable ${media === 'vid' ? 'video' : 'sound file'}`);
    const pixels = info.video ? info.video.width * info.video.height : 0;
    if (pixels > this.config.images.maxPixels)
      throw new AppError(
        'E-CORE-TOOLARGE',
        `the video has more than ${this.config.images.maxPixels} pixels per frame`,
      );
    return info;
  }

  private clientError(error: unknown, media: StreamMedia): unknown {
    if (!(error instanceof MediaToolError)) return error;
    this.logger.debug(error.message);
    return new ValidationError(`not a readable ${media === 'vid' ? 'video' : 'sound file'}`);
  }

  /** The object copied into a private temporary directory; the caller disposes of it. */
  private async copyOf(objectKey: string): Promise<LocalCopy> {
    const copy = await LocalCopy.create(this.config.media.tmpDir);
    try {
      await pipeline(await this.store.get(objectKey), copy.writer());
      return copy;
    } catch (error) {
      await copy.dispose();
      throw error;
    }
  }
}
