import { Body, Controller, Delete, Get, Param, ParseIntPipe, Patch, Post } from '@nestjs/common';
import { Authenticated, Tenant, ZodPipe } from '@cloudillo/http';
import { type TenantContext } from '@cloudillo/tenancy';
import { z } from 'zod';

import { type ApiKeyView } from './api-key-view';
import { ApiKeysService } from './api-keys.service';

const scopes = z.string().regex(/^[a-z0-9:._~,-]{1,200}$/, 'a comma-separated scope list');
/** Unix seconds, as the client's settings page sends it and as keys are answered. */
const expiresAt = z
  .number()
  .int()
  .positive()
  .transform((seconds) => new Date(seconds * 1000))
  .refine((d) => d.getTime() > Date.now(), 'must be in the future');
const createBody = z
  .object({
    name: z.string().trim().max(100).optional(),
    scopes: scopes.optional(),
    expiresAt: expiresAt.optional(),
  })
  .strict();
const patchBody = z
  .object({
    name: z.string().trim().max(100).nullable().optional(),
    scopes: scopes.nullable().optional(),
    expiresAt: expiresAt.nullable().optional(),
  })
  .strict();

/** `/api/auth/api-keys` (lead to list and delete, protocol §8.1; the owner to make or widen). */
@Controller('api/auth/api-keys')
@Authenticated({ role: 'leader' })
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Get()
  list(@Tenant() tenant: TenantContext): Promise<ApiKeyView[]> {
    return this.keys.list(tenant);
  }

  /** A key exchanges to the owner's tokens: only the owner makes one (a leader is not the owner). */
  @Post()
  @Authenticated({ role: 'leader', owner: true })
  create(
    @Tenant() tenant: TenantContext,
    @Body(new ZodPipe(createBody)) body: z.output<typeof createBody>,
  ): Promise<ApiKeyView & { plaintextKey: string }> {
    return this.keys.create(tenant, body);
  }

  @Get(':keyId')
  get(
    @Tenant() tenant: TenantContext,
    @Param('keyId', ParseIntPipe) keyId: number,
  ): Promise<ApiKeyView> {
    return this.keys.get(tenant, keyId);
  }

  @Patch(':keyId')
  @Authenticated({ role: 'leader', owner: true })
  update(
    @Tenant() tenant: TenantContext,
    @Param('keyId', ParseIntPipe) keyId: number,
    @Body(new ZodPipe(patchBody)) body: z.output<typeof patchBody>,
  ): Promise<ApiKeyView> {
    return this.keys.update(tenant, keyId, body);
  }

  @Delete(':keyId')
  async delete(
    @Tenant() tenant: TenantContext,
    @Param('keyId', ParseIntPipe) keyId: number,
  ): Promise<null> {
    await this.keys.delete(tenant, { keyId });
    return null;
  }
}
