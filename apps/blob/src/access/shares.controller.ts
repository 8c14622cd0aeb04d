import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { Authenticated, type AuthContext, AuthUser, Tenant, ZodPipe } from '@cloudillo/http';
import { FILE_ID, idTagSchema } from '@cloudillo/protocol';
import { type TenantContext } from '@cloudillo/tenancy';
import { z } from 'zod';

import { refuseScoped } from './file-access';
import { type ShareView } from './share-view';
import { SharesService } from './shares.service';

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

/** Share entries (protocol §5.2): only a caller with `A` on the file manages them. */
@Controller('api')
export class SharesController {
  constructor(private readonly shares: SharesService) {}

  @Get('files/:fileId/shares')
  @Authenticated()
  list(
    @Tenant() tenant: TenantContext,
    @AuthUser() caller: AuthContext,
    @Param('fileId', fileIdParam) fileId: string,
  ): Promise<ShareView[]> {
    refuseScoped(caller);
    return this.shares.list(tenant, caller, fileId);
  }

  @Post('files/:fileId/shares')
  @Authenticated()
  create(
    @Tenant() tenant: TenantContext,
    @AuthUser() caller: AuthContext,
    @Param('fileId', fileIdParam) fileId: string,
    @Body(new ZodPipe(createBody)) body: z.output<typeof createBody>,
  ): Promise<ShareView> {
    refuseScoped(caller);
    return this.shares.create(tenant, caller, fileId, body);
  }

  @Patch('files/:fileId/shares/:shareId')
  @Authenticated()
  update(
    @Tenant() tenant: TenantContext,
    @AuthUser() caller: AuthContext,
    @Param('fileId', fileIdParam) fileId: string,
    @Param('shareId', shareIdParam) shareId: number,
    @Body(new ZodPipe(patchBody)) body: z.output<typeof patchBody>,
  ): Promise<ShareView> {
    refuseScoped(caller);
    return this.shares.update(tenant, caller, fileId, shareId, body);
  }

  @Delete('files/:fileId/shares/:shareId')
  @Authenticated()
  remove(
    @Tenant() tenant: TenantContext,
    @AuthUser() caller: AuthContext,
    @Param('fileId', fileIdParam) fileId: string,
    @Param('shareId', shareIdParam) shareId: number,
  ): Promise<void> {
    refuseScoped(caller);
    return this.shares.remove(tenant, caller, fileId, shareId);
  }

  /** The tenant's shares to one subject (its leaders only). */
  @Get('shares')
  @Authenticated({ role: 'leader' })
  bySubject(
    @Tenant() tenant: TenantContext,
    @AuthUser() caller: AuthContext,
    @Query(new ZodPipe(bySubjectQuery)) query: z.output<typeof bySubjectQuery>,
  ): Promise<ShareView[]> {
    refuseScoped(caller);
    return this.shares.bySubject(tenant, query.subjectType, query.subjectId);
  }
}
