import {
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiTenant,
  Authenticated,
  type AuthContext,
  AuthUser,
  OptionalAuth,
  OptionalAuthUser,
  Page,
  RawResponse,
  ZodPipe,
} from '@cloudillo/http';
import {
  decodeCursor,
  encodeCursor,
  type IdTag,
  NotFoundError,
  ValidationError,
  FILE_ID,
} from '@cloudillo/protocol';
import { type BlobStore } from '@cloudillo/storage';
import { type Request, type Response } from 'express';
import { z } from 'zod';

import { atLeast, FileAccess, refuseScoped } from '../access/file-access';
import { FileRefresh } from '../sync/file-refresh';
import { TenantIds } from '../tenant-ids';
import { type BlobConfig } from '../config';
import { BLOB_CONFIG, BLOB_STORE } from '../tokens';
import { sendObject } from './downloads';
import { FileRecordsRepository } from './file-records.repository';
import { type FileView, viewOf } from './file-view';
import { type FileWithVariants, FilesRepository } from './files.repository';
import { variantMime } from './media';
import { type UploadResult, UploadService } from './upload.service';

const BLOB_ID = /^b1~[A-Za-z0-9_-]{43}$/;
/** How long a refused upload's remaining body is read before the answer goes anyway. */
const DRAIN_MS = 10_000;

function drained(req: Request, timeoutMs: number): Promise<void> {
  if (req.readableEnded || req.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    req.once('end', done);
    req.once('close', done);
    req.resume();
  });
}
/** A file's content id, `@<n>` while its variants are being made, or a document's random id. */
const blobIdParam = new ZodPipe(z.string().regex(BLOB_ID, 'not a blob id (b1~…)'));
const fileIdParam = new ZodPipe(z.string().regex(FILE_ID, 'not a file id (f1~… or @<n>)'));
const presetParam = new ZodPipe(z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'not a preset name'));
const uploadQuery = z.object({
  parentId: z.string().regex(FILE_ID, 'not a file id').optional(),
  tags: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,31}(,[a-z0-9][a-z0-9_-]{0,31}){0,31}$/, 'tags as a,b,c')
    .transform((t) => [...new Set(t.split(','))])
    .optional(),
  visibility: z.enum(['P', 'V', 'F', 'C']).optional(),
});
const listQuery = z.object({
  contentType: z.string().max(200).optional(),
  fileTp: z.enum(['BLOB', 'CRDT', 'RTDB', 'FLDR']).optional(),
  parentId: z.string().max(48).optional(),
  tag: z.string().max(32).optional(),
  /** The trash instead of the live files. */
  trashed: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(30),
});

/** The variant asked for, or the fallbacks of protocol §3.3, or the largest there is. */
const FALLBACKS: Record<string, readonly string[]> = {
  'vis.sd': ['vis.sd', 'vis.md', 'vis.tn', 'vis.pf'],
  'vis.orig': ['orig', 'vis.xd', 'vis.hd'],
  orig: ['orig', 'vis.xd', 'vis.hd'],
};

function chooseVariant(file: FileWithVariants, asked: string | undefined) {
  const byName = new Map(file.variants.map((v) => [v.variant, v]));
  for (const name of asked ? (FALLBACKS[asked] ?? [asked]) : []) {
    const found = byName.get(name);
    if (found) return found;
  }
  return [...file.variants].sort((a, b) => Number(b.size - a.size))[0];
}

/**
 * `/api/files*` (protocol §5.1): upload, read by file id (variant choice) or by blob id, the
 * descriptor, metadata, the list, delete. Everything is the addressed tenant's only: reads need a
 * token of that tenant, changes a contributor.
 */
@Controller('api/files')
export class FilesController {
  constructor(
    private readonly uploads: UploadService,
    private readonly files: FilesRepository,
    private readonly records: FileRecordsRepository,
    private readonly tenants: TenantIds,
    private readonly access: FileAccess,
    private readonly remote: FileRefresh,
    @Inject(BLOB_STORE) private readonly store: BlobStore,
    @Inject(BLOB_CONFIG) private readonly config: BlobConfig,
  ) {}

  /**
   * `POST /api/files/{preset}/{fileName}` uploads; `POST /api/files/{fileId}/restore` (the same
   * shape of path, protocol §5.1) takes a file back from the trash, and `…/refresh` asks the owner's
   * node whether a file kept for it is still there (`FileRefresh`): a file id is never a preset.
   */
  @Post(':preset/:fileName')
  @Authenticated({ role: 'contributor' })
  @HttpCode(201)
  async upload(
    @AuthUser() caller: AuthContext,
    @Param('preset') preset: string,
    @Param('fileName') fileName: string,
    @Headers('content-type') contentType: string | undefined,
    @Headers('content-length') contentLength: string | undefined,
    @Query() rawQuery: unknown,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<UploadResult | FileView | { fileId: string; parentId?: string }> {
    refuseScoped(caller);
    if (fileName === 'restore' && FILE_ID.test(preset)) {
      res.status(200);
      return this.restore(caller, preset);
    }
    if (fileName === 'refresh' && FILE_ID.test(preset)) {
      res.status(200);
      return viewOf(await this.remote.refresh(caller.tenant, preset));
    }
    try {
      presetParam.transform(preset);
      const options = new ZodPipe(uploadQuery).transform(rawQuery);
      const declared = contentLength === undefined ? undefined : Number(contentLength);
      if (declared !== undefined && !Number.isSafeInteger(declared))
        throw new ValidationError('Content-Length is not a byte count');
      return await this.uploads.upload({
        tnId: await this.tenants.of(caller.tenant),
        tenant: caller.tenant,
        preset,
        fileName,
        contentType,
        declaredLength: declared,
        body: req,
        ...options,
      });
    } catch (error) {
      // A refusal is answered after the body is read (and dropped): closing a connection the
      // client, or the gateway in front, is still writing to would lose the answer.
      await drained(req, DRAIN_MS);
      throw error;
    }
  }

  /** The tenant's own members only: a visitor reads files by id, as far as access allows. */
  @Get()
  @Authenticated({ role: 'contributor' })
  async list(
    @AuthUser() caller: AuthContext,
    @Query(new ZodPipe(listQuery)) query: z.output<typeof listQuery>,
  ): Promise<Page<FileView>> {
    refuseScoped(caller);
    let before: { createdAt: Date; fId: bigint } | undefined;
    if (query.cursor !== undefined) {
      const c = decodeCursor(query.cursor);
      if (!c || c.s !== 'createdAt' || typeof c.v !== 'string' || typeof c.id !== 'string')
        throw new ValidationError('invalid cursor');
      before = { createdAt: new Date(c.v), fId: BigInt(c.id) };
    }
    const tnId = await this.tenants.of(caller.tenant);
    const rows = await this.files.list(tnId, query, before, query.limit + 1);
    const items = rows.slice(0, query.limit);
    const last = items.at(-1);
    const hasMore = rows.length > query.limit;
    return new Page(items.map(viewOf), {
      nextCursor:
        hasMore && last
          ? encodeCursor({ s: 'createdAt', v: last.createdAt.toISOString(), id: String(last.fId) })
          : null,
      hasMore,
    });
  }

  @Get('variant/:blobId')
  @OptionalAuth()
  @RawResponse()
  async variant(
    @ApiTenant() tenant: IdTag,
    @OptionalAuthUser() caller: AuthContext | undefined,
    @Param('blobId', blobIdParam) blobId: string,
    @Headers('range') range: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const tnId = await this.tenants.of(tenant.ascii);
    const users = await this.files.filesUsingBlob(tnId, blobId);
    let readable = false;
    for (const file of users) {
      if (atLeast(await this.access.levelOf(tenant.ascii, tnId, caller, file), 'R')) {
        readable = true;
        break;
      }
    }
    const blob = readable ? await this.files.tenantBlob(tnId, blobId) : undefined;
    if (!blob) throw new NotFoundError('no such blob');
    await sendObject(
      res,
      this.store,
      { key: blob.objectKey, ...blob },
      range,
      { 'X-Cloudillo-Variant': blobId },
      this.config.directReads?.ttlSeconds,
    );
  }

  @Get(':fileId/descriptor')
  @OptionalAuth()
  async descriptor(
    @ApiTenant() tenant: IdTag,
    @OptionalAuthUser() caller: AuthContext | undefined,
    @Param('fileId', fileIdParam) fileId: string,
  ): Promise<{ file: string }> {
    const file = await this.readable(tenant, caller, fileId);
    return { file: file.descriptor ?? '' };
  }

  @Get(':fileId/metadata')
  @OptionalAuth()
  async metadata(
    @ApiTenant() tenant: IdTag,
    @OptionalAuthUser() caller: AuthContext | undefined,
    @Param('fileId', fileIdParam) fileId: string,
  ): Promise<FileView> {
    return viewOf(await this.readable(tenant, caller, fileId));
  }

  @Get(':fileId')
  @OptionalAuth()
  @RawResponse()
  async read(
    @ApiTenant() tenant: IdTag,
    @OptionalAuthUser() caller: AuthContext | undefined,
    @Param('fileId', fileIdParam) fileId: string,
    @Query('variant') asked: string | undefined,
    @Headers('range') range: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const file = await this.readable(tenant, caller, fileId);
    const variant = chooseVariant(file, asked);
    const key = variant && (await this.files.objectKeyOf(variant.blobId));
    if (!variant || !key) throw new NotFoundError('the file has no stored variant');
    await sendObject(
      res,
      this.store,
      {
        key,
        size: Number(variant.size),
        contentType: variantMime(variant.variant, variant.format, file.contentType),
      },
      range,
      { 'X-Cloudillo-Variant': variant.blobId, 'X-Cloudillo-Variants': file.descriptor ?? '' },
      this.config.directReads?.ttlSeconds,
    );
  }

  /**
   * Into the trash; from the trash, or with `?permanent=true`, for good: the tenant's references
   * go, and bytes nobody else uses are removed.
   */
  @Delete(':fileId')
  @Authenticated({ role: 'contributor' })
  async remove(
    @AuthUser() caller: AuthContext,
    @Param('fileId', fileIdParam) fileId: string,
    @Query('permanent') permanent: string | undefined,
  ): Promise<{ fileId: string; permanent: boolean }> {
    refuseScoped(caller);
    const tnId = await this.tenants.of(caller.tenant);
    const file =
      (await this.records.find(tnId, fileId)) ?? (await this.records.find(tnId, fileId, true));
    await this.access.require(caller.tenant, tnId, caller, file, 'W');
    if (permanent !== 'true' && (await this.records.trash(tnId, fileId)))
      return { fileId, permanent: false };
    const { deleted, orphans } = await this.files.deleteFile(tnId, fileId);
    if (!deleted) throw new NotFoundError('no such file');
    await this.store.remove(orphans).catch(() => undefined); // else garbage collection does
    return { fileId, permanent: true };
  }

  private async restore(
    caller: AuthContext,
    fileId: string,
  ): Promise<{ fileId: string; parentId?: string }> {
    const tnId = await this.tenants.of(caller.tenant);
    await this.access.require(
      caller.tenant,
      tnId,
      caller,
      await this.records.find(tnId, fileId, true),
      'W',
    );
    const restored = await this.records.restore(tnId, fileId);
    if (!restored) throw new NotFoundError('no such file in the trash');
    return { fileId, ...(restored.parentId ? { parentId: restored.parentId } : {}) };
  }

  /** The file, if the caller may read it (protocol §5.2); 404 otherwise, hidden like a missing one. */
  private async readable(
    tenant: IdTag,
    caller: AuthContext | undefined,
    fileId: string,
  ): Promise<FileWithVariants> {
    const tnId = await this.tenants.of(tenant.ascii);
    const file = await this.files.findFile(tnId, fileId);
    if (!file || !atLeast(await this.access.levelOf(tenant.ascii, tnId, caller, file), 'R'))
      throw new NotFoundError('no such file');
    return file;
  }
}
