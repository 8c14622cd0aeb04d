import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { ContractClient, fileIdGenerated } from '@cloudillo/contracts';
import { AppError } from '@cloudillo/protocol';
import { JobQueue } from '@cloudillo/queues';
import { type BlobStore } from '@cloudillo/storage';

import { type BlobConfig } from '../config';
import { descriptorOf, fileIdOf } from '../files/descriptor';
import {
  type FileWithVariants,
  FilesRepository,
  type NewVariant,
  variantEntryOf,
} from '../files/files.repository';
import { isStreamMedia, mediaClassOf } from '../files/media';
import { BLOB_CONFIG, BLOB_STORE } from '../tokens';
import { ImageVariants } from './image-variants';
import { MediaVariants } from './media-variants';

export const VARIANTS_QUEUE = 'blob.variants';
/** Video and sound: minutes of ffmpeg each, so never in front of an image's tiers. */
export const MEDIA_VARIANTS_QUEUE = 'blob.media-variants';

/** The tenant is its tnId and id_tag side by side because jobs already queued carry it so. */
export interface VariantJob {
  tnId: number;
  tenant: string;
  /** The file's row number (its id is `@<fId>` until this job gives it its content id). */
  fId: string;
}

/**
 * The variant job: a file's missing tiers — an image's from the image pipeline (BullMQ
 * `blob.variants`), a video's or a sound's from ffmpeg (`blob.media-variants`, its own queue and
 * concurrency, so a long transcode never holds up the images behind it) — each recorded as it is
 * stored, then the file's descriptor and `f1~` id, announced as `blob.file.id-generated.v1`. Jobs
 * are idempotent (a tier already there is skipped), so a retried or repeated job is harmless.
 */
@Injectable()
export class VariantJobs implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(VariantJobs.name);
  private readonly queues = new Map<'images' | 'media', JobQueue<VariantJob>>();

  constructor(
    private readonly files: FilesRepository,
    private readonly images: ImageVariants,
    private readonly media: MediaVariants,
    private readonly rpc: ContractClient,
    @Inject(BLOB_STORE) private readonly store: BlobStore,
    @Inject(BLOB_CONFIG) private readonly config: BlobConfig,
  ) {}

  onModuleInit(): void {
    const queue = (name: string, concurrency: number) =>
      new JobQueue<VariantJob>(
        name,
        {
          redisUrl: this.config.redisUrl,
          prefix: this.config.queuePrefix,
          worker: this.config.workers,
          concurrency,
          onFailed: (job, error) =>
            this.logger.warn(`variants of @${job?.fId ?? '?'} failed: ${error.message}`),
        },
        (job) => this.build(job),
      );
    this.queues.set('images', queue(VARIANTS_QUEUE, this.config.images.concurrency));
    this.queues.set('media', queue(MEDIA_VARIANTS_QUEUE, this.config.media.concurrency));
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
  }

  /** `media`: the file is a video or sound (ffmpeg's queue); otherwise an image. */
  async enqueue(job: VariantJob, kind: 'images' | 'media'): Promise<void> {
    await this.queues.get(kind)?.add('variants', job, {
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
    for await (const variant of this.missingTiers(file, orig, origKey)) {
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
    const descriptor = descriptorOf(current.variants.map(variantEntryOf));
    const { fileId, orphans } = await this.files.finalize(
      job.tnId,
      fId,
      fileIdOf(descriptor),
      descriptor,
    );
    await this.store.remove(orphans).catch(() => undefined);
    await this.rpc.publish(fileIdGenerated, { tenant: job.tenant, tempId: `@${job.fId}`, fileId });
  }

  private missingTiers(
    file: FileWithVariants,
    orig: FileWithVariants['variants'][number],
    origKey: string,
  ): AsyncGenerator<NewVariant> {
    const preset = file.preset ?? 'default';
    const have = new Set(file.variants.map((v) => v.variant));
    const media = mediaClassOf(file.contentType ?? '');
    if (isStreamMedia(media)) return this.media.missingTiers(origKey, preset, have);
    const longSide = Math.max(orig.resX ?? 0, orig.resY ?? 0);
    return this.images.missingTiers(() => this.store.get(origKey), preset, longSide, have);
  }
}
