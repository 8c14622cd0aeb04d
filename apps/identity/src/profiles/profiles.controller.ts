import { Body, Controller, Get, Param, Patch, Query } from '@nestjs/common';
import { Tenant, Authenticated, Page, ZodPipe } from '@cloudillo/http';
import { type TenantContext } from '@cloudillo/tenancy';
import { idTagSchema, PROFILE_TYPES } from '@cloudillo/protocol';
import { z } from 'zod';

import { type ProfileInfo } from './profile-info';
import { type ProfileSummary } from './profile-summaries.repository';
import { ProfilesService } from './profiles.service';

const flag = z.enum(['true', 'false']).transform((v) => v === 'true');
const listQuery = z.object({
  q: z.string().trim().min(1).max(100).optional(),
  type: z.enum(PROFILE_TYPES).optional(),
  connected: flag.optional(),
  following: flag.optional(),
  trust: z.enum(['always', 'never']).optional(),
  cursor: z.string().max(1024).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
const batchQuery = z.object({
  idTags: z
    .string()
    .transform((list) => list.split(',').filter((t) => t !== ''))
    .pipe(z.array(idTagSchema).min(1).max(100)),
});
const relationshipBody = z
  .object({
    status: z.enum(['A', 'B', 'M']).optional(),
    trust: z.enum(['always', 'never']).nullable().optional(),
    hiddenInHome: z.boolean().optional(),
  })
  .strict();

/** The identities a tenant knows and how it treats them: the owner's (or a leader's) business. */
@Controller('api/profiles')
export class ProfilesController {
  constructor(private readonly profiles: ProfilesService) {}

  @Get()
  @Authenticated({ role: 'leader' })
  list(
    @Tenant() tenant: TenantContext,
    @Query(new ZodPipe(listQuery)) query: z.output<typeof listQuery>,
  ): Promise<Page<ProfileInfo>> {
    const { cursor, limit, ...filter } = query;
    return this.profiles.list(tenant.tnId, filter, cursor, limit);
  }

  /** Public summaries for any valid token of this tenant (protocol §1.2). */
  @Get('batch')
  @Authenticated({ allowAnonymous: true })
  batch(
    @Query(new ZodPipe(batchQuery)) query: z.output<typeof batchQuery>,
  ): Promise<ProfileSummary[]> {
    return this.profiles.batch(query.idTags);
  }

  @Get(':idTag')
  @Authenticated({ role: 'leader' })
  get(
    @Tenant() tenant: TenantContext,
    @Param('idTag', new ZodPipe(idTagSchema)) idTag: z.output<typeof idTagSchema>,
  ): Promise<ProfileInfo | null> {
    return this.profiles.get(tenant.tnId, idTag);
  }

  @Patch(':idTag')
  @Authenticated({ role: 'leader' })
  patch(
    @Tenant() tenant: TenantContext,
    @Param('idTag', new ZodPipe(idTagSchema)) idTag: z.output<typeof idTagSchema>,
    @Body(new ZodPipe(relationshipBody)) body: z.output<typeof relationshipBody>,
  ): Promise<Record<string, never>> {
    return this.profiles.patch(tenant, idTag, body);
  }
}
