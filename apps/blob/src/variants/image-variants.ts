import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';

import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { ContractClient, fileIdGenerated } from '@cloudillo/contracts';
import { contentId } from '@cloudillo/crypto';
import { AppError } from '@cloudillo/protocol';
import { JobQueue } from '@cloudillo/queues';
import { type BlobStore } from '@cloudillo/storage';

import { type BlobConfig } from '../config';
import { descriptorOf, fileIdOf } from '../files/descriptor';
import { FilesRepository, type NewVariant } from '../files/files.repository';
import { BLOB_CONFIG, BLOB_STORE } from '../tokens';
import { ImageProcessor, type RenderedImage } from './image-processor';
import { type PlannedTier, planImageTiers, PRESET_IMAGE_TIERS } from './image-tiers';

export const VARIANTS_QUEUE = 'blob.variants';

export interface VariantJob {
  tnId: number;
  tenant: string;
  /** The file's row number (its id is `@<fId>` until this job gives it its content id). */
  fId: string;
}

const THUMBNAIL: PlannedTier = { name: 'vis.tn', size: 256, format: 'webp' };

/**
 * Image variants (protocol §3.3): at upload, the size and the thumbnail (`vis.tn`, synchronously);
 * the preset's other tiers from a BullMQ job (`blob.variants`), each stored as a blob like any
 * upload, then the file's descriptor and `f1~` id, announced as `blob.file.id-generated.v1`.
 * Jobs are idempotent (a tier already there is skipped), so a retried or repeated job is harmless.
 */
@Injectable()
export class ImageVariants implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ImageVariants.name);
  private readonly processor: ImageProcessor;
  private jobs?: JobQueue<VariantJob>;

  constructor(
    private readonly files: FilesRepository,
    private readonly rpc: ContractClient,
    @Inject(BLOB_STORE) private readonly store: BlobStore,
    @Inject(BLOB_CONFIG) private readonly config: BlobConfig,
  ) {
    this.processor = new ImageProcessor(config.images.maxPixels);
  }

  onModuleInit(): void {
    this.jobs = new JobQueue<VariantJob>(
      VARIANTS_QUEUE,
      {
        redisUrl: this.config.redisUrl,
        prefix: this.config.queuePrefix,
        worker: this.config.workers,
        concurrency: this.config.images.concurrency,
        onFailed: (job, error) =>
          this.logger.warn(`variants of @${job?.fId ?? '?'} failed: ${error.message}`),
      },
      (job) => this.build(job),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.jobs?.close();
  }

  /**
   * An uploaded image's size and thumbnail. `pending`: more tiers follow (from a job), so the file
   * waits for its content id.
   */
  async firstVariants(
    objectKey: string,
    preset: string,
  ): Promise<{ width: number; height: number; thumbnail?: NewVariant; pending: boolean }> {
    const wantsThumbnail = (PRESET_IMAGE_TIERS[preset] ?? []).includes('vis.tn');
    const { info, rendered } = await this.processor.read(
      await this.store.get(objectKey),
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

  async enqueue(job: VariantJob): Promise<void> {
    await this.jobs?.add('variants', job, {
      jobId: `variants-${job.tnId}-${job.fId}`,
      attempts: 5,
      backoff: { type: 'exponential', delay: 5_000 },
      removeOnComplete: true,
      removeOnFail: 1000,
    });
  }

  /** The job: the missing tiers, then the content id. */
  async build(job: VariantJob): Promise<void> {
    const fId = BigInt(job.fId);
    const file = await this.files.findFileByRow(job.tnId, fId);
    if (!file || file.status !== 'P') return; // done, or deleted meanwhile
    const orig = file.variants.find((v) => v.variant === 'orig');
    if (!orig) return;
    const origKey = await this.files.objectKeyOf(orig.blobId);
    if (!origKey) return;
    const longSide = Math.max(orig.resX ?? 0, orig.resY ?? 0);
    const have = new Set(file.variants.map((v) => v.variant));
    // Largest first, each smaller tier from the one above it: the original is decoded once.
    const missing = planImageTiers(file.preset ?? 'default', longSide)
      .filter((tier) => !have.has(tier.name))
      .reverse();
    const rendered = new Map<string, RenderedImage>();
    let above: RenderedImage | undefined;
    for (const tier of missing) {
      const source = above ? Readable.from([above.bytes]) : await this.store.get(origKey);
      above = await this.processor.renderTier(source, tier);
      rendered.set(tier.name, above);
    }
    // Stored smallest first, so a quota that runs out keeps the small ones.
    for (const tier of missing.reverse()) {
      const variant = await this.storeRendered(tier.name, rendered.get(tier.name) as RenderedImage);
      try {
        const { objectKept } = await this.files.addVariant(
          job.tnId,
          fId,
          variant,
          this.config.limits.tenantQuotaBytes,
        );
        if (!objectKept) await this.store.remove([variant.objectKey]);
      } catch (error) {
        await this.store.remove([variant.objectKey]).catch(() => undefined);
        // Over quota: the file keeps the tiers it has.
        if (error instanceof AppError) break;
        throw error;
      }
    }
    const current = await this.files.findFileByRow(job.tnId, fId);
    if (!current) return;
    const descriptor = descriptorOf(
      current.variants.map((v) => ({
        name: v.variant,
        blobId: v.blobId,
        format: v.format,
        size: Number(v.size),
        width: v.resX ?? undefined,
        height: v.resY ?? undefined,
      })),
    );
    const tempId = `@${job.fId}`;
    const { fileId, orphans } = await this.files.finalize(
      job.tnId,
      fId,
      fileIdOf(descriptor),
      descriptor,
    );
    await this.store.remove(orphans).catch(() => undefined);
    await this.rpc.publish(fileIdGenerated, { tenant: job.tenant, tempId, fileId });
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
