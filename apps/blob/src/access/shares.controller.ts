import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { type ShareEntry } from '@cloudillo/db-blob';
import { ApiTenant, Authenticated, type AuthContext, AuthUser, ZodPipe } from '@cloudillo/http';
import { FILE_ID, type IdTag, idTagSchema, NotFoundError } from '@cloudillo/protocol';
import { z } from 'zod';

import { FileRecordsRepository } from '../files/file-records.repository';
import { TenantIds } from '../tenant-ids';
import { atLeast, FileAccess, refuseScoped } from './file-access';
import { ShareOffers } from './share-offers';
import { SharesRepository } from './shares.repository';

const fileIdParam = new ZodPipe(z.string().regex(FILE_ID, 'not a file id'));
const shareIdParam = new ZodPipe(z.coerce.number().int().positive());
const permission = z.enum(['R', 'C', 'W', 'A']);
const expiresAt = z.iso.datetime({ offset: true }).transform((s) => new Date(s));
const createBody = z.discriminatedUnion('subjectType', [
  z
    .object({
      subjectType: z.literal('U'),
      subjectId: idTagSchema,
      permission,
      expiresAt: expiresAt.optional(),
    })
    .strict(),
  z
    .object({
      subjectType: z.literal('L'),
      subjectId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
      permission,
      expiresAt: expiresAt.optional(),
    })
    .strict(),
  z
    .object({
      subjectType: z.literal('F'),
      subjectId: z.string().regex(FILE_ID),
      permission,
      expiresAt: expiresAt.optional(),
    })
    .strict(),
]);
const patchBody = z
  .object({ permission: permission.optional(), expiresAt: expiresAt.nullable().optional() })
  .strict()
  .refine((b) => b.permission !== undefined || b.expiresAt !== undefined, 'nothing to change');
const bySubjectQuery = z.object({
  subjectType: z.enum(['U', 'L', 'F']).default('U'),
  subjectId: z.string().min(1).max(253),
});

/** `tShareEntry` of the client contract. */
interface ShareView {
  id: number;
  resourceType: 'file';
  resourceId: string;
  subjectType: string;
  subjectId: string;
  permission: string;
  expiresAt?: string;
  createdBy: string;
  createdAt: string;
}

function viewOf(share: ShareEntry, fileId: string): ShareView {
  return {
    id: share.id,
    resourceType: 'file',
    resourceId: fileId,
    subjectType: share.subjectType,
    subjectId: share.subjectId,
    permission: share.permission,
    ...(share.expiresAt ? { expiresAt: share.expiresAt.toISOString() } : {}),
    createdBy: share.createdBy,
    createdAt: share.createdAt.toISOString(),
  };
}

/** Share entries (protocol §5.2): only a caller with `A` on the file manages them. */
@Controller('api')
export class SharesController {
  constructor(
    private readonly shares: SharesRepository,
    private readonly records: FileRecordsRepository,
    private readonly access: FileAccess,
    private readonly tenants: TenantIds,
    private readonly offers: ShareOffers,
  ) {}

  @Get('files/:fileId/shares')
  @Authenticated()
  async list(
    @ApiTenant() tenant: IdTag,
    @AuthUser() caller: AuthContext,
    @Param('fileId', fileIdParam) fileId: string,
  ): Promise<ShareView[]> {
    const { tnId, file } = await this.managed(tenant, caller, fileId);
    return (await this.shares.ofFile(tnId, file.fId)).map((s) => viewOf(s, fileId));
  }

  @Post('files/:fileId/shares')
  @Authenticated()
  async create(
    @ApiTenant() tenant: IdTag,
    @AuthUser() caller: AuthContext,
    @Param('fileId', fileIdParam) fileId: string,
    @Body(new ZodPipe(createBody)) body: z.output<typeof createBody>,
  ): Promise<ShareView> {
    const { tnId, file } = await this.managed(tenant, caller, fileId);
    const share = await this.shares.create(tnId, file.fId, body, caller.subject);
    await this.offers.changed(tenant.ascii, tnId, file, share);
    return viewOf(share, fileId);
  }

  @Patch('files/:fileId/shares/:shareId')
  @Authenticated()
  async update(
    @ApiTenant() tenant: IdTag,
    @AuthUser() caller: AuthContext,
    @Param('fileId', fileIdParam) fileId: string,
    @Param('shareId', shareIdParam) shareId: number,
    @Body(new ZodPipe(patchBody)) body: z.output<typeof patchBody>,
  ): Promise<ShareView> {
    const { tnId, file } = await this.managed(tenant, caller, fileId);
    const updated = await this.shares.update(tnId, file.fId, shareId, body);
    if (!updated) throw new NotFoundError('no such share');
    if (body.permission) await this.offers.changed(tenant.ascii, tnId, file, updated);
    return viewOf(updated, fileId);
  }

  @Delete('files/:fileId/shares/:shareId')
  @Authenticated()
  async remove(
    @ApiTenant() tenant: IdTag,
    @AuthUser() caller: AuthContext,
    @Param('fileId', fileIdParam) fileId: string,
    @Param('shareId', shareIdParam) shareId: number,
  ): Promise<void> {
    const { tnId, file } = await this.managed(tenant, caller, fileId);
    const removed = await this.shares.remove(tnId, file.fId, shareId);
    if (!removed) throw new NotFoundError('no such share');
    await this.offers.changed(tenant.ascii, tnId, file, removed);
  }

  /** The tenant's shares to one subject (its leaders only). */
  @Get('shares')
  @Authenticated({ role: 'leader' })
  async bySubject(
    @AuthUser() caller: AuthContext,
    @Query(new ZodPipe(bySubjectQuery)) query: z.output<typeof bySubjectQuery>,
  ): Promise<ShareView[]> {
    refuseScoped(caller);
    const tnId = await this.tenants.of(caller.tenant);
    const shares = await this.shares.bySubject(tnId, query.subjectType, query.subjectId);
    const ids = await this.records.idsOf(
      tnId,
      shares.map((s) => s.fId),
    );
    return shares.map((s) => viewOf(s, ids.get(s.fId) ?? ''));
  }

  /** The file, if the caller may manage its shares; 404 otherwise (its existence stays hidden). */
  private async managed(tenant: IdTag, caller: AuthContext, fileId: string) {
    refuseScoped(caller);
    const tnId = await this.tenants.of(tenant.ascii);
    const file = await this.records.find(tnId, fileId);
    if (!file || !atLeast(await this.access.levelOf(tenant.ascii, tnId, caller, file), 'A'))
      throw new NotFoundError('no such file');
    return { tnId, file };
  }
}
