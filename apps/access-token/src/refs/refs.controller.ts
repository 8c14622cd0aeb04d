import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { REF_TYPES, refIdSchema } from '@cloudillo/contracts';
import {
  Authenticated,
  type AuthContext,
  AuthUser,
  Public,
  Tenant,
  ZodPipe,
} from '@cloudillo/http';
import { type TenantContext } from '@cloudillo/tenancy';
import { z } from 'zod';

import { levelCode, type RefView, toRefView } from './ref-view';
import { RefsService } from './refs.service';

const expiresAt = z.coerce
  .date()
  .refine((d) => d.getTime() > Date.now(), 'must be in the future')
  .nullable();
const createBody = z
  .object({
    type: z.enum(REF_TYPES),
    description: z.string().trim().max(200).optional(),
    resourceId: z.string().max(128).optional(),
    accessLevel: z.enum(['read', 'comment', 'write']).optional(),
    params: z.string().max(1000).optional(),
    count: z.number().int().min(1).max(1_000_000).nullable().optional(),
    expiresAt: expiresAt.optional(),
  })
  .strict()
  .refine(
    (b) => b.type !== 'share.file' || (b.resourceId && b.accessLevel),
    'share.file needs resourceId and accessLevel',
  );
const patchBody = z
  .object({
    description: z.string().trim().max(200).optional(),
    count: z.number().int().min(0).max(1_000_000).nullable().optional(),
    expiresAt: expiresAt.optional(),
  })
  .strict();
const listQuery = z.object({ type: z.enum(REF_TYPES).optional() });
const refParam = new ZodPipe(refIdSchema);

/** `/api/refs*`: links and codes a tenant hands out (protocol §8.1). */
@Controller('api/refs')
export class RefsController {
  constructor(private readonly refs: RefsService) {}

  @Get()
  @Authenticated({ role: 'leader' })
  async list(
    @Tenant() tenant: TenantContext,
    @AuthUser() caller: AuthContext,
    @Query(new ZodPipe(listQuery)) query: z.output<typeof listQuery>,
  ): Promise<RefView[]> {
    return (await this.refs.list(tenant, caller, query.type)).map(toRefView);
  }

  @Post()
  @Authenticated({ role: 'leader' })
  async create(
    @Tenant() tenant: TenantContext,
    @AuthUser() caller: AuthContext,
    @Body(new ZodPipe(createBody)) body: z.output<typeof createBody>,
  ): Promise<RefView> {
    const { accessLevel, ...rest } = body;
    return toRefView(
      await this.refs.create(tenant, caller, {
        ...rest,
        ...(accessLevel ? { accessLevel: levelCode(accessLevel) } : {}),
      }),
    );
  }

  /** Public: what a link is, while it can still be used (no creator, no tenant data). */
  @Get(':refId')
  @Public()
  async get(
    @Tenant() tenant: TenantContext,
    @Param('refId', refParam) refId: string,
  ): Promise<RefView> {
    return toRefView(await this.refs.publicView(tenant, refId));
  }

  @Patch(':refId')
  @Authenticated({ role: 'leader' })
  async update(
    @Tenant() tenant: TenantContext,
    @Param('refId', refParam) refId: string,
    @Body(new ZodPipe(patchBody)) body: z.output<typeof patchBody>,
  ): Promise<RefView> {
    return toRefView(await this.refs.update(tenant, refId, body));
  }

  @Delete(':refId')
  @Authenticated({ role: 'leader' })
  async delete(
    @Tenant() tenant: TenantContext,
    @Param('refId', refParam) refId: string,
  ): Promise<{ refId: string }> {
    await this.refs.delete(tenant, refId);
    return { refId };
  }
}
