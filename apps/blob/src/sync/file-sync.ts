import { randomUUID } from 'node:crypto';

import { Controller, Inject, Injectable, Logger } from '@nestjs/common';
import {
  ContractClient,
  type HandlerInput,
  type HandlerReply,
  issueProxyToken,
  syncFile,
} from '@cloudillo/contracts';
import { type FileVariant } from '@cloudillo/db-blob';
import { HandleRequest } from '@cloudillo/messaging';
import { PeerClient, PeerError } from '@cloudillo/peer-client';
import { AppError, NotFoundError, ValidationError } from '@cloudillo/protocol';
import { type BlobStore, TooLargeError, uploadHashed } from '@cloudillo/storage';
import { type TenantContext, TenantResolver } from '@cloudillo/tenancy';
import { z } from 'zod';

import { type BlobConfig } from '../config';
import { descriptorOf, fileIdOf, parseDescriptor, type VariantEntry } from '../files/descriptor';
import { FilesRepository, type KnownVariant, type NewVariant } from '../files/files.repository';
import { checkFileName } from '../files/file-name';
import { normalMime, PRESETS } from '../files/media';
import { BLOB_CONFIG, BLOB_STORE } from '../tokens';

/** Media classes whose `orig` a node that is not the audience keeps as metadata only (§5.5). */
const MEDIA = /^(image|video|audio)\//;

const descriptorReply = z.object({ data: z.object({ file: z.string().max(8192) }) });
const metadataReply = z.object({
  data: z.object({
    contentType: z.string().max(200),
    fileName: z.string().max(255),
    preset: z.string().max(32).optional(),
  }),
});

/**
 * Federated file sync (protocol §5.5): the descriptor from the peer must hash to the file id, and
 * every variant's bytes to their blob id (streamed into the store while hashed, at most the size
 * the descriptor states). Anything that does not match is refused, reported and not kept; what was
 * written is removed. Requests carry a proxy token of the tenant at the peer, so files the peer
 * shares with the tenant come too (public files need none).
 */
@Injectable()
export class FileSync {
  private readonly logger = new Logger(FileSync.name);

  constructor(
    private readonly files: FilesRepository,
    private readonly peers: PeerClient,
    private readonly rpc: ContractClient,
    @Inject(BLOB_STORE) private readonly store: BlobStore,
    @Inject(BLOB_CONFIG) private readonly config: BlobConfig,
  ) {}

  /**
   * `full`: every variant, as the audience's node keeps (§5.5); otherwise a media file's `orig`
   * is kept as metadata only (its bytes stay at the peer; the visual tiers are what is shown).
   * A file held already is not fetched again, except the bytes a full sync lacks.
   */
  async sync(
    tenant: TenantContext,
    fileId: string,
    from: string,
    full = false,
  ): Promise<{ fileId: string; existed: boolean }> {
    try {
      return await this.fetch(tenant, fileId, from, full);
    } catch (error) {
      if (!(error instanceof PeerError)) throw error;
      // The peer's refusal or absence, said in our terms; never a 500 for a peer's trouble.
      if (error.status === 404 || error.status === 403 || error.status === 401)
        throw new NotFoundError(`${from} does not let ${tenant.idTag} have ${fileId}`);
      throw new AppError('E-SYS-UNAVAIL', `${from}: ${error.message}`);
    }
  }

  private async fetch(
    tenant: TenantContext,
    fileId: string,
    from: string,
    full: boolean,
  ): Promise<{ fileId: string; existed: boolean }> {
    const held = await this.files.findFileWithKnownVariants(tenant.tnId, fileId);
    if (held) {
      const lacking = full ? held.variants.filter((v) => !v.available) : [];
      if (lacking.length > 0) await this.complete({ tenant, fId: held.fId, fileId, from }, lacking);
      return { fileId, existed: true };
    }
    const auth = await this.authAt(tenant.idTag, from);
    const { data: described } = await this.peers.getJson(
      from,
      `/api/files/${fileId}/descriptor`,
      descriptorReply,
      auth,
    );
    const descriptor = described.file;
    if (fileIdOf(descriptor) !== fileId)
      throw this.refused(from, fileId, 'its descriptor does not hash to the file id');
    const parsed = parseDescriptor(descriptor);
    if (!parsed) throw this.refused(from, fileId, 'its descriptor does not parse');
    // The id commits to the descriptor; our own rendering of it must be the same one.
    if (descriptorOf(parsed.variants, parsed.rootFileId) !== descriptor)
      throw this.refused(from, fileId, 'its descriptor is not in canonical order');
    const { data: meta } = await this.peers.getJson(
      from,
      `/api/files/${fileId}/metadata`,
      metadataReply,
      auth,
    );
    // The peer's word for the type goes through the same checks as an upload's.
    const contentType = normalMime(meta.contentType);
    if (!contentType) throw this.refused(from, fileId, `its type is not a MIME type`);
    const preset = meta.preset && PRESETS[meta.preset] ? meta.preset : 'file';
    let fileName: string;
    try {
      fileName = checkFileName(meta.fileName);
    } catch {
      throw this.refused(from, fileId, 'its file name is not one');
    }
    const metadataOnly = (name: string) =>
      !full && name === 'orig' && MEDIA.test(contentType) && parsed.variants.length > 1;
    const written: string[] = [];
    try {
      const variants: (NewVariant | KnownVariant)[] = [];
      for (const variant of parsed.variants) {
        if (metadataOnly(variant.name)) {
          variants.push(variant);
          continue;
        }
        const objectKey = `o/${randomUUID()}`;
        written.push(objectKey);
        await this.fetchVariant(from, fileId, variant, objectKey, auth);
        variants.push({ ...variant, objectKey });
      }
      const { file, existed, keptObjects } = await this.files.addFile({
        tnId: tenant.tnId,
        ownerTag: from,
        preset,
        contentType,
        fileName,
        variants,
        quotaBytes: this.config.limits.tenantQuotaBytes,
        final: { fileId, descriptor },
      });
      await this.store.remove(written.filter((key) => !keptObjects.has(key)));
      return { fileId: file.fileId, existed };
    } catch (error) {
      await this.store.remove(written).catch(() => undefined);
      throw error;
    }
  }

  /** The bytes of variants held as metadata only (the rows say what they must hash to). */
  private async complete(
    held: { tenant: TenantContext; fId: bigint; fileId: string; from: string },
    lacking: FileVariant[],
  ): Promise<void> {
    const { tenant, fId, fileId, from } = held;
    const auth = await this.authAt(tenant.idTag, from);
    for (const row of lacking) {
      const variant = {
        name: row.variant,
        blobId: row.blobId,
        format: row.format,
        size: Number(row.size),
      };
      const objectKey = `o/${randomUUID()}`;
      try {
        await this.fetchVariant(from, fileId, variant, objectKey, auth);
        const { objectKept } = await this.files.addVariant(
          tenant.tnId,
          fId,
          { ...variant, objectKey },
          this.config.limits.tenantQuotaBytes,
        );
        if (!objectKept) await this.store.remove([objectKey]);
      } catch (error) {
        await this.store.remove([objectKey]).catch(() => undefined);
        throw error;
      }
    }
  }

  /** Streams one variant into the store at `objectKey`, refusing bytes that do not hash to it. */
  private async fetchVariant(
    from: string,
    fileId: string,
    variant: VariantEntry,
    objectKey: string,
    auth: { bearer?: string },
  ): Promise<void> {
    const body = await this.peers.getStream(from, `/api/files/variant/${variant.blobId}`, auth);
    let stored;
    try {
      stored = await uploadHashed(this.store, objectKey, body, variant.size);
    } catch (error) {
      if (error instanceof TooLargeError)
        throw this.refused(from, fileId, `${variant.name} is larger than its descriptor says`);
      throw error;
    }
    if (stored.blobId !== variant.blobId || stored.size !== variant.size)
      throw this.refused(
        from,
        fileId,
        `the bytes of ${variant.name} do not hash to ${variant.blobId}`,
      );
  }

  private async authAt(tenant: string, peer: string): Promise<{ bearer?: string }> {
    const bearer = await this.proxyToken(tenant, peer);
    return bearer ? { bearer } : {};
  }

  private async proxyToken(tenant: string, peer: string): Promise<string | undefined> {
    try {
      return (await this.rpc.request(issueProxyToken, { tenant, peer })).token;
    } catch (error) {
      // Without one, public files still come.
      this.logger.warn(`no proxy token for ${tenant} at ${peer}: ${String(error)}`);
      return undefined;
    }
  }

  private refused(from: string, fileId: string, why: string): ValidationError {
    this.logger.warn(`refused ${fileId} from ${from}: ${why}`);
    return new ValidationError(`${fileId} from ${from} refused: ${why}`);
  }
}

/** `blob.file.sync.v1` over NATS. */
@Controller()
export class FileSyncHandler {
  constructor(
    private readonly sync: FileSync,
    private readonly tenants: TenantResolver,
  ) {}

  @HandleRequest(syncFile)
  async handle({
    tenant,
    fileId,
    from,
    full,
  }: HandlerInput<typeof syncFile>): Promise<HandlerReply<typeof syncFile>> {
    return this.sync.sync(await this.tenants.require(tenant), fileId, from, full);
  }
}
