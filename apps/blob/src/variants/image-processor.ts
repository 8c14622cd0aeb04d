import { type Readable } from 'node:stream';

import { AppError, ValidationError } from '@cloudillo/protocol';
import type sharpFactory from 'sharp';
import { type Sharp } from 'sharp';

import { type PlannedTier } from './image-tiers';

type SharpFactory = typeof sharpFactory;

let library: Promise<SharpFactory> | undefined;

/**
 * sharp, loaded with the first image: libvips adds ≈ 8 MiB to the service's RSS, which a service
 * that is only streaming other files need not hold.
 */
function loadSharp(): Promise<SharpFactory> {
  library ??= import('sharp').then(({ default: sharp }) => {
    // Decoded pixels live outside the V8 heap: no cache of them between requests.
    sharp.cache(false);
    return sharp;
  });
  return library;
}

export interface ImageInfo {
  /** As displayed: EXIF orientation applied. */
  width: number;
  height: number;
}

export interface RenderedImage {
  bytes: Buffer;
  width: number;
  height: number;
  mime: string;
}

/**
 * Image decoding and resizing (sharp/libvips), with a pixel cap checked from the header before
 * anything is decoded, so a decompression bomb costs nothing. Errors are the client's: 413 past
 * the cap, 400 for bytes that are not a readable image.
 */
export class ImageProcessor {
  constructor(private readonly maxPixels: number) {}

  private async input(): Promise<Sharp> {
    const sharp = await loadSharp();
    return sharp({ limitInputPixels: this.maxPixels, failOn: 'error', sequentialRead: true });
  }

  /** Size, and optionally a rendering of one tier, from one read of the original. */
  async read(
    source: Readable,
    tier?: PlannedTier,
  ): Promise<{ info: ImageInfo; rendered?: RenderedImage }> {
    const input = await this.input();
    source.on('error', (error) => input.destroy(error));
    source.pipe(input);
    try {
      const [meta, rendered] = await Promise.all([
        input.clone().metadata(),
        tier ? this.render(input.clone(), tier) : Promise.resolve(undefined),
      ]);
      if (!meta.width || !meta.height) throw new ValidationError('not a readable image');
      const turned = (meta.orientation ?? 1) >= 5;
      const info = {
        width: turned ? meta.height : meta.width,
        height: turned ? meta.width : meta.height,
      };
      return { info, ...(rendered ? { rendered } : {}) };
    } catch (error) {
      throw this.clientError(error);
    }
  }

  private async render(image: Sharp, tier: PlannedTier): Promise<RenderedImage> {
    const resized = image
      .rotate()
      .resize({ width: tier.size, height: tier.size, fit: 'inside', withoutEnlargement: true });
    const encoded =
      tier.format === 'avif' ? resized.avif({ quality: 80 }) : resized.webp({ quality: 80 });
    const { data, info } = await encoded.toBuffer({ resolveWithObject: true });
    return { bytes: data, width: info.width, height: info.height, mime: `image/${tier.format}` };
  }

  /** One tier of an original (the variant job). */
  async renderTier(source: Readable, tier: PlannedTier): Promise<RenderedImage> {
    const input = await this.input();
    source.on('error', (error) => input.destroy(error));
    source.pipe(input);
    try {
      return await this.render(input, tier);
    } catch (error) {
      throw this.clientError(error);
    }
  }

  private clientError(error: unknown): unknown {
    if (error instanceof AppError) return error;
    const message = error instanceof Error ? error.message : String(error);
    if (/pixel limit/i.test(message))
      return new AppError('E-CORE-TOOLARGE', `the image has more than ${this.maxPixels} pixels`);
    return new ValidationError('not a readable image');
  }
}
