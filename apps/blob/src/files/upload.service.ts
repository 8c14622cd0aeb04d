import { randomUUID } from 'node:crypto';
import { type Readable } from 'node:stream';

import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppError, NotFoundError } from '@cloudillo/protocol';
import { type BlobStore, TooLargeError, uploadHashed } from '@cloudillo/storage';
import { type TenantContext } from '@cloudillo/tenancy';

import { type BlobConfig } from '../config';
import { BLOB_CONFIG, BLOB_STORE } from '../tokens';
import { descriptorOf, fileIdOf } from './descriptor';
import { checkFileName } from './file-name';
import { FileRecordsRepository } from './file-records.repository';
import { FilesRepository, QuotaExceeded } from './files.repository';
import { checkPreset, formatOf, isStreamMedia, type MediaClass, mimeOf } from './media';
import { ImageVariants } from '../variants/image-variants';
import { type LocalCopy } from '../variants/local-copy';
import { type FirstVariants, MediaVariants } from '../variants/media-variants';
import { VariantJobs } from '../variants/variant-jobs';

/** `tUploadFileResult` of the client contract. */
export interface UploadResult {
  fileId: string;
  dim?: [number, number];
  thumbnailVariantId?: string;
  existed?: boolean;
  fileName: string;
  contentType: string;
}

export interface Upload {
  tenant: TenantContext;
  preset: string;
  fileName: string;
  contentType: string | undefined;
  declaredLength: number | undefined;
  body: Readable;
  /** Query options (protocol §5.1): the folder, tags, visibility. */
  parentId?: string | undefined;
  tags?: string[] | undefined;
  visibility?: string | undefined;
}

/**
 * `POST /api/files/{preset}/{fileName}` (protocol §5.1): the body streams to a fresh object while
 * it is hashed (never held whole), capped by the preset's size limit and what is left of the
 * tenant's quota; then one transaction records blobs, references, usage and file. An image gets
 * its dimensions and thumbnail now (pixel-capped) and its other tiers from a job: until then its
 * id is `@<f_id>`; other files get their `f1~` at once. Identical bytes are kept once: when they
 * were already stored, the new object is removed. Whatever fails — too large, client gone, quota,
 * an unreadable image — leaves no row and no object.
 */
@Injectable()
export class UploadService {
  private readonly logger = new Logger(UploadService.name);

  constructor(
    private readonly files: FilesRepository,
    private readonly records: FileRecordsRepository,
    private readonly images: ImageVariants,
    private readonly media: MediaVariants,
    private readonly variantJobs: VariantJobs,
    @Inject(BLOB_STORE) private readonly store: BlobStore,
    @Inject(BLOB_CONFIG) private readonly config: BlobConfig,
  ) {}

  async upload(upload: Upload): Promise<UploadResult> {
    const fileName = checkFileName(upload.fileName);
    const mime = mimeOf(upload.contentType);
    const media = checkPreset(upload.preset, mime);
    if (upload.parentId) {
      const folder = await this.records.find(upload.tenant.tnId, upload.parentId);
      if (folder?.fileTp !== 'FLDR') throw new NotFoundError(`no folder ${upload.parentId}`);
    }
    const { limits } = this.config;
    const cap = isStreamMedia(media) ? limits.streamBytes : limits.fileBytes;
    const left = limits.tenantQuotaBytes - (await this.files.usage(upload.tenant.tnId));
    // Identical bytes may cost nothing, but an upload that cannot fit is refused before it starts.
    const limit = Math.min(cap, Math.max(0, left));
    if (upload.declaredLength !== undefined && upload.declaredLength > limit) {
      throw this.tooLarge(upload.declaredLength > cap ? cap : undefined);
    }
    // Video and sound are also written to a local file as they stream in: ffmpeg reads it next.
    const copy = isStreamMedia(media) ? await this.media.localCopy() : undefined;
    try {
      return await this.receive(upload, { fileName, mime, media, limit, cap }, copy);
    } finally {
      await copy?.dispose();
    }
  }

  private async receive(
    upload: Upload,
    checked: { fileName: string; mime: string; media: MediaClass; limit: number; cap: number },
    copy: LocalCopy | undefined,
  ): Promise<UploadResult> {
    const { fileName, mime, media, limit, cap } = checked;
    const objectKey = `o/${randomUUID()}`;
    let stored;
    try {
      stored = await uploadHashed(this.store, objectKey, upload.body, limit, mime, copy?.writer());
    } catch (error) {
      if (error instanceof TooLargeError) throw this.tooLarge(limit === cap ? cap : undefined);
      throw error;
    }
    const orig = {
      name: 'orig',
      blobId: stored.blobId,
      format: formatOf(mime),
      size: stored.size,
      objectKey,
    };
    const written = [objectKey];
    try {
      const first = await this.firstVariants(objectKey, upload.preset, media, copy);
      if (first?.thumbnail) written.push(first.thumbnail.objectKey);
      const variants = first
        ? [
            { ...orig, width: first.width, height: first.height, duration: first.duration },
            ...(first.thumbnail ? [first.thumbnail] : []),
          ]
        : [orig];
      const pending = first?.pending ?? false;
      const descriptor = descriptorOf(variants);
      const { tenant } = upload;
      const { file, existed, keptObjects } = await this.files.addFile({
        tnId: tenant.tnId,
        ownerTag: tenant.idTag,
        preset: upload.preset,
        contentType: mime,
        fileName,
        variants,
        quotaBytes: this.config.limits.tenantQuotaBytes,
        parentId: upload.parentId,
        tags: upload.tags,
        visibility: upload.visibility,
        ...(pending ? {} : { final: { fileId: fileIdOf(descriptor), descriptor } }),
      });
      await this.removeQuietly(written.filter((key) => !keptObjects.has(key)));
      if (pending)
        await this.variantJobs.enqueue(
          { tnId: tenant.tnId, tenant: tenant.idTag, fId: String(file.fId) },
          media === 'vis' ? 'images' : 'media',
        );
      return {
        fileId: file.fileId,
        fileName: file.fileName,
        contentType: file.contentType,
        ...(first?.width && first.height
          ? { dim: [first.width, first.height] as [number, number] }
          : {}),
        ...(first?.thumbnail ? { thumbnailVariantId: first.thumbnail.blobId } : {}),
        ...(existed ? { existed: true } : {}),
      };
    } catch (error) {
      await this.removeQuietly(written);
      throw error;
    }
  }

  /** What is known of an upload at once: an image's or a video's size and thumbnail, a length. */
  private firstVariants(
    objectKey: string,
    preset: string,
    media: MediaClass,
    copy: LocalCopy | undefined,
  ): Promise<FirstVariants | undefined> {
    if (media === 'vis') return this.images.firstVariants(() => this.store.get(objectKey), preset);
    if (isStreamMedia(media) && copy) return this.media.firstVariants(copy, preset, media);
    return Promise.resolve(undefined);
  }

  private tooLarge(cap: number | undefined): AppError {
    return cap === undefined
      ? new QuotaExceeded(this.config.limits.tenantQuotaBytes)
      : new AppError('E-CORE-TOOLARGE', `files of this kind are at most ${cap} bytes`);
  }

  /** A redundant or abandoned object; if removing fails, garbage collection takes it later. */
  private async removeQuietly(keys: string[]): Promise<void> {
    await this.store.remove(keys).catch((error: unknown) => {
      this.logger.warn(`could not remove ${keys.join(', ')} now: ${String(error)}`);
    });
  }
}
