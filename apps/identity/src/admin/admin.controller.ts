import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { type TenantView } from '@cloudillo/contracts';
import { Authenticated, Page, ZodPipe } from '@cloudillo/http';
import {
  COMMUNITY_ROLES,
  decodeCursor,
  encodeCursor,
  idTagSchema,
  SERVER_ADMIN_ROLE,
  ValidationError,
} from '@cloudillo/protocol';
import { z } from 'zod';

import { type ProfileInfo } from '../profiles/profile-info';
import { TenantAdminService } from '../tenants/tenant-admin.service';

/** The client's `tListTenantsResult` item: `createdAt` in Unix seconds. */
export interface AdminTenant {
  tnId: number;
  idTag: string;
  name: string;
  type: TenantView['type'];
  status: string;
  roles: string[];
  profilePic?: string;
  createdAt: number;
}

const CURSOR_SORT = 'tnId';
const listQuery = z.object({
  q: z.string().trim().min(1).max(100).optional(),
  cursor: z.string().max(1024).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
const idTagParam = new ZodPipe(idTagSchema);
const ROLES = [...COMMUNITY_ROLES, SERVER_ADMIN_ROLE] as const;
const profileBody = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    roles: z.array(z.enum(ROLES)).max(ROLES.length).optional(),
    status: z.enum(['A', 'S']).optional(),
  })
  .strict()
  .refine(
    (b) => b.name !== undefined || b.roles !== undefined || b.status !== undefined,
    'nothing to change',
  );

function adminTenant(view: TenantView): AdminTenant {
  const item: AdminTenant = {
    tnId: view.tnId,
    idTag: view.idTag,
    name: view.name,
    type: view.type,
    status: view.status,
    roles: view.roles,
    createdAt: Math.floor(Date.parse(view.createdAt) / 1000),
  };
  if (view.profilePic) item.profilePic = view.profilePic;
  return item;
}

function profileOf(view: TenantView): ProfileInfo {
  const info: ProfileInfo = {
    idTag: view.idTag,
    name: view.name,
    type: view.type,
    roles: view.roles,
  };
  if (view.status === 'A' || view.status === 'S') info.status = view.status;
  if (view.profilePic) info.profilePic = view.profilePic;
  return info;
}

/** Tenant administration for the server admin (`SADM`, held by the base tenant). */
@Controller('api/admin')
@Authenticated({ role: SERVER_ADMIN_ROLE })
export class AdminController {
  constructor(private readonly tenants: TenantAdminService) {}

  @Get('tenants')
  async list(
    @Query(new ZodPipe(listQuery)) query: z.output<typeof listQuery>,
  ): Promise<Page<AdminTenant>> {
    let after = 0;
    if (query.cursor !== undefined) {
      const cursor = decodeCursor(query.cursor);
      if (!cursor || cursor.s !== CURSOR_SORT || typeof cursor.id !== 'number') {
        throw new ValidationError('invalid cursor');
      }
      after = cursor.id;
    }
    const page = await this.tenants.list(query.q, after, query.limit);
    return new Page(page.items.map(adminTenant), {
      nextCursor:
        page.next === undefined
          ? null
          : encodeCursor({ s: CURSOR_SORT, v: page.next, id: page.next }),
      hasMore: page.next !== undefined,
    });
  }

  @Post('tenants/:idTag/suspend')
  @HttpCode(200)
  async suspend(@Param('idTag', idTagParam) idTag: string): Promise<AdminTenant> {
    return adminTenant(await this.tenants.setStatus(idTag, 'S'));
  }

  @Post('tenants/:idTag/reactivate')
  @HttpCode(200)
  async reactivate(@Param('idTag', idTagParam) idTag: string): Promise<AdminTenant> {
    return adminTenant(await this.tenants.setStatus(idTag, 'A'));
  }

  /** Removes the tenant's data in every service (`identity.tenant.purged.v1`); nothing else. */
  @Post('tenants/:idTag/purge')
  @HttpCode(200)
  purge(@Param('idTag', idTagParam) idTag: string): Promise<{ tnId: number; idTag: string }> {
    return this.tenants.purge(idTag);
  }

  @Patch('profiles/:idTag')
  async updateProfile(
    @Param('idTag', idTagParam) idTag: string,
    @Body(new ZodPipe(profileBody)) body: z.output<typeof profileBody>,
  ): Promise<{ profile: ProfileInfo }> {
    return { profile: profileOf(await this.tenants.update(idTag, body)) };
  }
}
