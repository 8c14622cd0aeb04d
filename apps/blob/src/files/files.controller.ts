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
  Authenticated,
  type AuthContext,
  AuthUser,
  OptionalAuth,
  OptionalAuthUser,
  type Page,
  RawResponse,
  Tenant,
  ZodPipe,
} from '@cloudillo/http';
import { FILE_ID, ValidationError } from '@cloudillo/protocol';
import { type BlobStore } from '@cloudillo/storage';
import { type TenantContext } from '@cloudillo/tenancy';
import { type Request, type Response } from 'express';
import { z } from 'zod';

import { refuseScoped } from '../access/file-access';
import { type BlobConfig } from '../config';
import { BLOB_CONFIG, BLOB_STORE } from '../tokens';
import { sendObject } from './downloads';
import { type FileView } from './file-view';
import { FilesService, type StoredRead } from './files.service';
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

/**
 * `/api/files*` (protocol §5.1): upload, read by file id (variant choice) or by blob id, the
 * descriptor, metadata, the list, delete. Everything is the addressed tenant's only: reads need a
 * token of that tenant, changes a contributor.
 */
@Controller('api/files')
export class FilesController {
  constructor(
    private readonly uploads: UploadService,
    private readonly files: FilesService,
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
    @Tenant() tenant: TenantContext,
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
      return this.files.restore(tenant, caller, preset);
    }
    if (fileName === 'refresh' && FILE_ID.test(preset)) {
      res.status(200);
      return this.files.refresh(tenant, preset);
    }
    try {
      presetParam.transform(preset);
      const options = new ZodPipe(uploadQuery).transform(rawQuery);
      const declared = contentLength === undefined ? undefined : Number(contentLength);
      if (declared !== undefined && !Number.isSafeInteger(declared))
        throw new ValidationError('Content-Length is not a byte count');
      return await this.uploads.upload({
        tenant,
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
  list(
    @Tenant() tenant: TenantContext,
    @AuthUser() caller: AuthContext,
    @Query(new ZodPipe(listQuery)) query: z.output<typeof listQuery>,
  ): Promise<Page<FileView>> {
    refuseScoped(caller);
    return this.files.list(tenant, query);
  }

  @Get('variant/:blobId')
  @OptionalAuth()
  @RawResponse()
  async variant(
    @Tenant() tenant: TenantContext,
    @OptionalAuthUser() caller: AuthContext | undefined,
    @Param('blobId', blobIdParam) blobId: string,
    @Headers('range') range: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    await this.send(res, await this.files.blob(tenant, caller, blobId), range);
  }

  @Get(':fileId/descriptor')
  @OptionalAuth()
  descriptor(
    @Tenant() tenant: TenantContext,
    @OptionalAuthUser() caller: AuthContext | undefined,
    @Param('fileId', fileIdParam) fileId: string,
  ): Promise<{ file: string }> {
    return this.files.descriptor(tenant, caller, fileId);
  }

  @Get(':fileId/metadata')
  @OptionalAuth()
  metadata(
    @Tenant() tenant: TenantContext,
    @OptionalAuthUser() caller: AuthContext | undefined,
    @Param('fileId', fileIdParam) fileId: string,
  ): Promise<FileView> {
    return this.files.metadata(tenant, caller, fileId);
  }

  @Get(':fileId')
  @OptionalAuth()
  @RawResponse()
  async read(
    @Tenant() tenant: TenantContext,
    @OptionalAuthUser() caller: AuthContext | undefined,
    @Param('fileId', fileIdParam) fileId: string,
    @Query('variant') asked: string | undefined,
    @Headers('range') range: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    await this.send(res, await this.files.content(tenant, caller, fileId, asked), range);
  }

  /**
   * Into the trash; from the trash, or with `?permanent=true`, for good: the tenant's references
   * go, and bytes nobody else uses are removed.
   */
  @Delete(':fileId')
  @Authenticated({ role: 'contributor' })
  remove(
    @Tenant() tenant: TenantContext,
    @AuthUser() caller: AuthContext,
    @Param('fileId', fileIdParam) fileId: string,
    @Query('permanent') permanent: string | undefined,
  ): Promise<{ fileId: string; permanent: boolean }> {
    refuseScoped(caller);
    return this.files.remove(tenant, caller, fileId, permanent === 'true');
  }

  private send(res: Response, read: StoredRead, range: string | undefined): Promise<void> {
    const directTtl = this.config.directReads?.ttlSeconds;
    return sendObject(res, this.store, read.object, range, read.headers, directTtl);
  }
}
