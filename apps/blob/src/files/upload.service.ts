import { randomUUID } from 'node:crypto';
import { type Readable } from 'node:stream';

import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppError } from '@cloudillo/protocol';
import { type BlobStore, TooLargeError, uploadHashed } from '@cloudillo/storage';

import { type BlobConfig } from '../config';
import { BLOB_CONFIG, BLOB_STORE } from '../tokens';
import { descriptorOf, fileIdOf } from './descriptor';
import { checkFileName } from './file-name';
import { FilesRepository, QuotaExceeded } from './files.repository';
import { checkPreset, formatOf, mimeOf } from './media';

/** `tUploadFileResult` of the client contract. */
export interface UploadResult {
  fileId: string;
  existed?: boolean;
  fileName: string;
  contentType: string;
}

export interface Upload {
  tnId: number;
  tenant: string;
  preset: string;
  fileName: string;
  contentType: string | undefined;
  declaredLength: number | undefined;
  body: Readable;
}

/**
 * `POST /api/files/{preset}/{fileName}` (protocol §5.1): the body streams to a fresh object while
 * it is hashed (never held whole), capped by the preset's size limit and what is left of the
 * tenant's quota; then one transaction records blob, reference, usage and file. Identical bytes
 * are kept once: when they were already stored, the new object is removed. Whatever fails — too
 * large, client gone, quota — leaves no row and no object.
 */
@Injectable()
export class UploadService {
  private readonly logger = new Logger(UploadService.name);

  constructor(
    private readonly files: FilesRepository,
    @Inject(BLOB_STORE) private readonly store: BlobStore,
    @Inject(BLOB_CONFIG) private readonly config: BlobConfig,
  ) {}

  async upload(upload: Upload): Promise<UploadResult> {
    const fileName = checkFileName(upload.fileName);
    const mime = mimeOf(upload.contentType);
    const media = checkPreset(upload.preset, mime);
    const { limits } = this.config;
    const cap = media === 'vid' || media === 'aud' ? limits.streamBytes : limits.fileBytes;
    const left = limits.tenantQuotaBytes - (await this.files.usage(upload.tnId));
    // Identical bytes may cost nothing, but an upload that cannot fit is refused before it starts.
    const limit = Math.min(cap, Math.max(0, left));
    if (upload.declaredLength !== undefined && upload.declaredLength > limit) {
      throw this.tooLarge(upload.declaredLength > cap ? cap : undefined);
    }
    const objectKey = `o/${randomUUID()}`;
    let stored;
    try {
      stored = await uploadHashed(this.store, objectKey, upload.body, limit, mime);
    } catch (error) {
      if (error instanceof TooLargeError) throw this.tooLarge(limit === cap ? cap : undefined);
      throw error;
    }
    const format = formatOf(mime);
    const variant = { name: 'orig', blobId: stored.blobId, format, size: stored.size };
    const descriptor = descriptorOf([variant]);
    try {
      const { file, existed, objectKept } = await this.files.addBlobFile({
        tnId: upload.tnId,
        ownerTag: upload.tenant,
        fileId: fileIdOf(descriptor),
        descriptor,
        preset: upload.preset,
        contentType: mime,
        fileName,
        variant: { ...variant, objectKey },
        quotaBytes: limits.tenantQuotaBytes,
      });
      if (!objectKept) await this.removeQuietly(objectKey);
      return {
        fileId: file.fileId,
        fileName: file.fileName,
        contentType: file.contentType,
        ...(existed ? { existed: true } : {}),
      };
    } catch (error) {
      await this.removeQuietly(objectKey);
      throw error;
    }
  }

  private tooLarge(cap: number | undefined): AppError {
    return cap === undefined
      ? new QuotaExceeded(this.config.limits.tenantQuotaBytes)
      : new AppError('E-CORE-TOOLARGE', `files of this kind are at most ${cap} bytes`);
  }

  /** A redundant or abandoned object; if removing fails, garbage collection takes it later. */
  private async removeQuietly(key: string): Promise<void> {
    await this.store.remove([key]).catch((error: unknown) => {
      this.logger.warn(`could not remove ${key} now: ${String(error)}`);
    });
  }
}
