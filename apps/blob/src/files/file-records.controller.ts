import { Body, Controller, Delete, Get, Param, Patch, Post, Put } from '@nestjs/common';
import { Authenticated, type AuthContext, AuthUser, Tenant, ZodPipe } from '@cloudillo/http';
import { FILE_ID } from '@cloudillo/protocol';
import { type TenantContext } from '@cloudillo/tenancy';
import { z } from 'zod';

import { refuseScoped } from '../access/file-access';
import { FileDuplicatesService } from './file-duplicates.service';
import { FileRecordsService } from './file-records.service';

const anyFileId = z.string().regex(FILE_ID, 'not a file id');
const fileIdParam = new ZodPipe(anyFileId);
const tag = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'a tag is 1–32 of a-z, 0-9, _ and -');
const tagParam = new ZodPipe(tag);
const createBody = z
  .object({
    fileTp: z.enum(['CRDT', 'RTDB', 'FLDR']),
    contentType: z
      .string()
      .regex(/^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/)
      .optional(),
    fileName: z.string().max(255).optional(),
    parentId: anyFileId.optional(),
    tags: z.array(tag).max(32).optional(),
  })
  .strict();
const patchBody = z
  .object({
    fileName: z.string().max(255).optional(),
    parentId: anyFileId.nullable().optional(),
    /** Who may read it beyond shares: P, V, F, C; null for direct shares only. */
    visibility: z.enum(['P', 'V', 'F', 'C']).nullable().optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'nothing to change');
const duplicateBody = z
  .object({ fileName: z.string().max(255).optional(), parentId: anyFileId.optional() })
  .strict()
  .optional();
const userBody = z
  .object({ pinned: z.boolean().optional(), starred: z.boolean().optional() })
  .strict()
  .refine((b) => b.pinned !== undefined || b.starred !== undefined, 'nothing to change');

/**
 * Documents and folders, names and places, the trash, tags and per-user marks (protocol §5.1,
 * §5.2). The tenant's own: a token of the tenant, contributor to change anything.
 */
@Controller('api')
export class FileRecordsController {
  constructor(
    private readonly records: FileRecordsService,
    private readonly duplicates: FileDuplicatesService,
  ) {}

  @Post('files')
  @Authenticated({ role: 'contributor' })
  create(
    @Tenant() tenant: TenantContext,
    @AuthUser() caller: AuthContext,
    @Body(new ZodPipe(createBody)) body: z.output<typeof createBody>,
  ): Promise<{ fileId: string }> {
    refuseScoped(caller);
    return this.records.create(tenant, body);
  }

  /** A copy of a document or database the caller can read, as a new file of the tenant. */
  @Post('files/:fileId/duplicate')
  @Authenticated({ role: 'contributor' })
  duplicate(
    @Tenant() tenant: TenantContext,
    @AuthUser() caller: AuthContext,
    @Param('fileId', fileIdParam) fileId: string,
    @Body(new ZodPipe(duplicateBody)) body: z.output<typeof duplicateBody>,
  ): Promise<{ fileId: string }> {
    refuseScoped(caller);
    return this.duplicates.duplicate(tenant, caller, fileId, body ?? {});
  }

  /** Renames and moves; a folder cannot move into itself or below itself. */
  @Patch('files/:fileId')
  @Authenticated({ role: 'contributor' })
  update(
    @Tenant() tenant: TenantContext,
    @AuthUser() caller: AuthContext,
    @Param('fileId', fileIdParam) fileId: string,
    @Body(new ZodPipe(patchBody)) body: z.output<typeof patchBody>,
  ): Promise<{ fileId: string; fileName?: string }> {
    refuseScoped(caller);
    return this.records.update(tenant, caller, fileId, body);
  }

  /** Deletes for good what of the trash the caller may delete. */
  @Delete('trash')
  @Authenticated({ role: 'contributor' })
  async emptyTrash(
    @Tenant() tenant: TenantContext,
    @AuthUser() caller: AuthContext,
  ): Promise<{ deleted_count: number }> {
    refuseScoped(caller);
    return { deleted_count: await this.records.emptyTrash(tenant, caller) };
  }

  @Put('files/:fileId/tag/:tag')
  @Authenticated({ role: 'contributor' })
  addTag(
    @Tenant() tenant: TenantContext,
    @AuthUser() caller: AuthContext,
    @Param('fileId', fileIdParam) fileId: string,
    @Param('tag', tagParam) added: string,
  ): Promise<{ tags: string[] }> {
    refuseScoped(caller);
    return this.records.retag(tenant, caller, fileId, (tags) => [...new Set([...tags, added])]);
  }

  @Delete('files/:fileId/tag/:tag')
  @Authenticated({ role: 'contributor' })
  removeTag(
    @Tenant() tenant: TenantContext,
    @AuthUser() caller: AuthContext,
    @Param('fileId', fileIdParam) fileId: string,
    @Param('tag', tagParam) removed: string,
  ): Promise<{ tags: string[] }> {
    refuseScoped(caller);
    return this.records.retag(tenant, caller, fileId, (tags) => tags.filter((t) => t !== removed));
  }

  @Get('tags')
  @Authenticated({ role: 'contributor' })
  async tags(
    @Tenant() tenant: TenantContext,
    @AuthUser() caller: AuthContext,
  ): Promise<{ tags: { tag: string; count: number }[] }> {
    refuseScoped(caller);
    return { tags: await this.records.tagCounts(tenant) };
  }

  /** The caller's own marks on a file. */
  @Patch('files/:fileId/user')
  @Authenticated()
  userData(
    @Tenant() tenant: TenantContext,
    @AuthUser() caller: AuthContext,
    @Param('fileId', fileIdParam) fileId: string,
    @Body(new ZodPipe(userBody)) body: z.output<typeof userBody>,
  ): Promise<{ fileId: string; pinned: boolean; starred: boolean }> {
    refuseScoped(caller);
    return this.records.mark(tenant, caller, fileId, body);
  }
}
