import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';

import { Inject, Injectable } from '@nestjs/common';
import { contentId } from '@cloudillo/crypto';
import { type BlobStore } from '@cloudillo/storage';

import { type BlobConfig } from '../config';
import { type NewVariant } from '../files/files.repository';
import { BLOB_CONFIG, BLOB_STORE } from '../tokens';
import { ImageProcessor, type RenderedImage } from './image-processor';
import { type PlannedTier, planImageTiers, PRESET_IMAGE_TIERS } from './image-tiers';

const THUMBNAIL: PlannedTier = { name: 'vis.tn', size: 256, format: 'webp' };

/** A source of an image's pixels, read again for each use (the stored original, a video frame). */
export type ImageSource = () => Promise<Readable>;

/**
 * Image variants (protocol §3.3) of an uploaded image or of a video's frame: at upload, the size
 * and the thumbnail (`vis.tn`); later (the variant job) the preset's other tiers. Each rendering is
 * stored as an object of its own, recorded by the caller.
 */
@Injectable()
export class ImageVariants {
  private readonly processor: ImageProcessor;

  constructor(
    @Inject(BLOB_STORE) private readonly store: BlobStore,
    @Inject(BLOB_CONFIG) config: BlobConfig,
  ) {
    this.processor = new ImageProcessor(config.images.maxPixels);
  }

  /**
   * An image's size and thumbnail. `pending`: more tiers follow (from the variant job), so the
   * file waits for its content id.
   */
  async firstVariants(
    source: ImageSource,
    preset: string,
  ): Promise<{ width: number; height: number; thumbnail?: NewVariant; pending: boolean }> {
    const wantsThumbnail = (PRESET_IMAGE_TIERS[preset] ?? []).includes('vis.tn');
    const { info, rendered } = await this.processor.read(
      await source(),
      wantsThumbnail ? THUMBNAIL : undefined,
    );
    const plan = planImageTiers(preset, Math.max(info.width, info.height));
    const thumbnail = rendered && (await this.storeRendered('vis.tn', rendered));
    return {
      ...info,
      ...(thumbnail ? { thumbnail } : {}),
      pending: plan.some((tier) => tier.name !== 'vis.tn'),
    };
  }

  /**
   * The preset's tiers a file does not have yet, stored one by one, smallest first (so a quota
   * that runs out keeps the small ones). Rendered largest first, each smaller tier from the one
   * above it: the original is decoded once.
   */
  async *missingTiers(
    source: ImageSource,
    preset: string,
    longSide: number,
    have: ReadonlySet<string>,
  ): AsyncGenerator<NewVariant> {
    const missing = planImageTiers(preset, longSide)
      .filter((tier) => !have.has(tier.name))
      .reverse();
    const rendered: [string, RenderedImage][] = [];
    let above: RenderedImage | undefined;
    for (const tier of missing) {
      const input = above ? Readable.from([above.bytes]) : await source();
      above = await this.processor.renderTier(input, tier);
      rendered.push([tier.name, above]);
    }
    for (const [name, image] of rendered.reverse()) yield await this.storeRendered(name, image);
  }

  private async storeRendered(name: string, rendered: RenderedImage): Promise<NewVariant> {
    const objectKey = `o/${randomUUID()}`;
    await this.store.put(objectKey, Readable.from([rendered.bytes]), rendered.mime);
    return {
      name,
      blobId: contentId('b', rendered.bytes),
      format: rendered.mime.slice('image/'.length),
      size: rendered.bytes.length,
      objectKey,
      width: rendered.width,
      height: rendered.height,
    };
  }
}
