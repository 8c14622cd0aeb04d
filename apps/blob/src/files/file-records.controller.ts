import { randomInt } from 'node:crypto';

import { Body, Controller, Delete, Get, Inject, Param, Patch, Post, Put } from '@nestjs/common';
import { Authenticated, type AuthContext, AuthUser, ZodPipe } from '@cloudillo/http';
import { ConflictError, FILE_ID, NotFoundError, ValidationError } from '@cloudillo/protocol';
import { type BlobStore } from '@cloudillo/storage';
import { z } from 'zod';

import { TenantIds } from '../tenant-ids';
import { BLOB_STORE } from '../tokens';
import { type AccessLevel, FileAccess, refuseScoped } from '../access/file-access';
import { checkFileName } from './file-name';
import { FileRecordsRepository } from './file-records.repository';
import { FilesRepository } from './files.repository';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Documents and folders are not content-addressed: a random 24-character id (protocol §3.4). */
function randomFileId(): string {
  let id = '';
  for (let i = 0; i < 24; i++) id += ALNUM[randomInt(ALNUM.length)];
  return id;
}

const anyFileId = z.string().regex(FILE_ID, 'not a file id');
const fileIdParam = new ZodPipe(anyFileId);
const tag = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'a tag is 1–32 of a-z, 0-9, _ and -');
const tagParam = new ZodPipe(tag);
const DEFAULT_TYPES: Record<string, string> = {
  CRDT: 'cloudillo/crdt',
  RTDB: 'cloudillo/rtdb',
  FLDR: 'cloudillo/folder',
};
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
    private readonly records: FileRecordsRepository,
    private readonly files: FilesRepository,
    private readonly tenants: TenantIds,
    private readonly access: FileAccess,
    @Inject(BLOB_STORE) private readonly store: BlobStore,
  ) {}

  @Post('files')
  @Authenticated({ role: 'contributor' })
  async create(
    @AuthUser() caller: AuthContext,
    @Body(new ZodPipe(createBody)) body: z.output<typeof createBody>,
  ): Promise<{ fileId: string }> {
    refuseScoped(caller);
    const tnId = await this.tenants.of(caller.tenant);
    if (body.parentId) await this.folder(tnId, body.parentId);
    const file = await this.records.createRecord({
      tnId,
      fileId: randomFileId(),
      fileTp: body.fileTp,
      contentType: body.contentType ?? (DEFAULT_TYPES[body.fileTp] as string),
      fileName: checkFileName(body.fileName ?? 'Untitled'),
      parentId: body.parentId,
      tags: [...new Set(body.tags ?? [])],
      ownerTag: caller.tenant,
    });
    return { fileId: file.fileId };
  }

  /** Renames and moves; a folder cannot move into itself or below itself. */
  @Patch('files/:fileId')
  @Authenticated({ role: 'contributor' })
  async update(
    @AuthUser() caller: AuthContext,
    @Param('fileId', fileIdParam) fileId: string,
    @Body(new ZodPipe(patchBody)) body: z.output<typeof patchBody>,
  ): Promise<{ fileId: string; fileName?: string }> {
    refuseScoped(caller);
    const tnId = await this.tenants.of(caller.tenant);
    const needed = body.visibility === undefined ? 'W' : 'A';
    await this.fileFor(caller, tnId, fileId, needed);
    if (body.parentId) {
      await this.folder(tnId, body.parentId);
      if ((await this.records.ancestors(tnId, body.parentId)).includes(fileId))
        throw new ValidationError('a folder cannot move into itself');
    }
    const updated = await this.records.update(tnId, fileId, {
      fileName: body.fileName === undefined ? undefined : checkFileName(body.fileName),
      parentId: body.parentId,
      visibility: body.visibility,
    });
    if (!updated) throw new NotFoundError('no such file');
    return { fileId, fileName: updated.fileName };
  }

  /**
   * Everything in the trash the caller may delete, for good (bytes nobody else references are
   * removed): a contributor leaves what it may not write, and what the tenant keeps for others.
   */
  @Delete('trash')
  @Authenticated({ role: 'contributor' })
  async emptyTrash(@AuthUser() caller: AuthContext): Promise<{ deleted_count: number }> {
    refuseScoped(caller);
    const tnId = await this.tenants.of(caller.tenant);
    let deleted = 0;
    for (const fileId of await this.records.trashed(tnId)) {
      const file = await this.records.find(tnId, fileId, true);
      if (!file || !(await this.access.allows(caller.tenant, tnId, caller, file, 'W'))) continue;
      const { deleted: gone, orphans } = await this.files.deleteFile(tnId, fileId);
      if (gone) deleted++;
      await this.store.remove(orphans).catch(() => undefined); // else garbage collection does
    }
    return { deleted_count: deleted };
  }

  @Put('files/:fileId/tag/:tag')
  @Authenticated({ role: 'contributor' })
  async addTag(
    @AuthUser() caller: AuthContext,
    @Param('fileId', fileIdParam) fileId: string,
    @Param('tag', tagParam) added: string,
  ): Promise<{ tags: string[] }> {
    refuseScoped(caller);
    return this.retag(caller, fileId, (tags) => [...new Set([...tags, added])]);
  }

  @Delete('files/:fileId/tag/:tag')
  @Authenticated({ role: 'contributor' })
  async removeTag(
    @AuthUser() caller: AuthContext,
    @Param('fileId', fileIdParam) fileId: string,
    @Param('tag', tagParam) removed: string,
  ): Promise<{ tags: string[] }> {
    refuseScoped(caller);
    return this.retag(caller, fileId, (tags) => tags.filter((t) => t !== removed));
  }

  @Get('tags')
  @Authenticated({ role: 'contributor' })
  async tags(@AuthUser() caller: AuthContext): Promise<{ tags: { tag: string; count: number }[] }> {
    refuseScoped(caller);
    return { tags: await this.records.tagCounts(await this.tenants.of(caller.tenant)) };
  }

  /** The caller's own marks on a file. */
  @Patch('files/:fileId/user')
  @Authenticated()
  async userData(
    @AuthUser() caller: AuthContext,
    @Param('fileId', fileIdParam) fileId: string,
    @Body(new ZodPipe(userBody)) body: z.output<typeof userBody>,
  ): Promise<{ fileId: string; pinned: boolean; starred: boolean }> {
    refuseScoped(caller);
    const tnId = await this.tenants.of(caller.tenant);
    const file = await this.fileFor(caller, tnId, fileId, 'R');
    const marks = await this.records.setUserData(file.fId, caller.subject, body);
    return { fileId, pinned: marks.pinned, starred: marks.starred };
  }

  private async retag(
    caller: AuthContext,
    fileId: string,
    change: (tags: string[]) => string[],
  ): Promise<{ tags: string[] }> {
    const tnId = await this.tenants.of(caller.tenant);
    const file = await this.fileFor(caller, tnId, fileId, 'W');
    const tags = change(file.tags);
    if (tags.length > 32) throw new ValidationError('a file has at most 32 tags');
    await this.records.setTags(tnId, fileId, tags);
    return { tags };
  }

  /** The live file, if the caller has `needed` on it (`FileAccess.require`). */
  private async fileFor(caller: AuthContext, tnId: number, fileId: string, needed: AccessLevel) {
    return this.access.require(
      caller.tenant,
      tnId,
      caller,
      await this.records.find(tnId, fileId),
      needed,
    );
  }

  private async folder(tnId: number, folderId: string): Promise<void> {
    const folder = await this.records.find(tnId, folderId);
    if (!folder) throw new NotFoundError(`no folder ${folderId}`);
    if (folder.fileTp !== 'FLDR') throw new ConflictError(`${folderId} is not a folder`);
  }
}
