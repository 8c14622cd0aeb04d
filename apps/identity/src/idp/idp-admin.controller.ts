import {
  Body,
  Controller,
  Delete,
  Get,
  Param,
  ParseIntPipe,
  Patch,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import {
  ApiKey,
  Tenant,
  Authenticated,
  type AuthContext,
  OptionalAuth,
  OptionalAuthUser,
  Page,
  ZodPipe,
} from '@cloudillo/http';
import { type TenantContext } from '@cloudillo/tenancy';
import {
  decodeCursor,
  encodeCursor,
  idTagSchema,
  NotFoundError,
  UnauthorizedError,
  ValidationError,
} from '@cloudillo/protocol';
import { z } from 'zod';

import {
  IDP_STATUSES,
  type IdpApiKeyView,
  type IdpIdentityView,
  toIdentityView,
} from './idp-identity';
import { IdpService } from './idp.service';

const idTagParam = new ZodPipe(idTagSchema);
const CURSOR_SORT = 'idTag';
const listQuery = z.object({
  status: z.enum(IDP_STATUSES).optional(),
  registrar: idTagSchema.optional(),
  q: z.string().trim().min(1).max(100).optional(),
  cursor: z.string().max(1024).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
const createBody = z
  .object({
    idTag: idTagSchema,
    email: z.email().max(254).optional(),
    ownerIdTag: idTagSchema.optional(),
    address: z.string().max(400).optional(),
    lang: z.string().max(16).optional(),
  })
  .strict();
const patchBody = z
  .object({
    email: z.email().max(254).nullable().optional(),
    ownerIdTag: idTagSchema.nullable().optional(),
    dyndns: z.boolean().optional(),
    status: z.enum(['active', 'suspended']).optional(),
  })
  .strict();
const addressBody = z.object({ address: z.string().min(1).max(400) });
const keysQuery = z.object({ idTag: idTagSchema.optional() });
const keyBody = z
  .object({ idTag: idTagSchema, name: z.string().trim().max(100).optional() })
  .strict();
const quotaBody = z
  .object({
    maxIdentities: z.number().int().min(0).max(10_000_000),
    maxStorageBytes: z.number().int().min(0),
  })
  .strict();

/** Identity management at the IdP (protocol §1.5): its leaders, and `idp_` keys for addresses. */
@Controller('api/idp')
@Authenticated({ role: 'leader' })
export class IdpAdminController {
  constructor(private readonly idp: IdpService) {}

  @Get('identities')
  async list(
    @Tenant() tenant: TenantContext,
    @Query(new ZodPipe(listQuery)) query: z.output<typeof listQuery>,
  ): Promise<Page<IdpIdentityView>> {
    this.atIdp(tenant);
    let after: string | undefined;
    if (query.cursor !== undefined) {
      const cursor = decodeCursor(query.cursor);
      if (!cursor || cursor.s !== CURSOR_SORT || typeof cursor.id !== 'string')
        throw new ValidationError('invalid cursor');
      after = cursor.id;
    }
    const rows = await this.idp.list(query, after, query.limit + 1);
    const items = rows.slice(0, query.limit).map(toIdentityView);
    const last = items.at(-1);
    const hasMore = rows.length > query.limit;
    return new Page(items, {
      nextCursor:
        hasMore && last ? encodeCursor({ s: CURSOR_SORT, v: last.idTag, id: last.idTag }) : null,
      hasMore,
    });
  }

  /** The IdP's own registrations: active at once, with an `idp_` key for the address. */
  @Post('identities')
  async create(
    @Tenant() tenant: TenantContext,
    @Body(new ZodPipe(createBody)) body: z.output<typeof createBody>,
  ): Promise<IdpIdentityView> {
    const { domain } = this.atIdp(tenant);
    const result = await this.idp.register({ ...body, registrarIdTag: domain, activeNow: true });
    if (!result.success) throw new ValidationError(result.message);
    return {
      ...toIdentityView(await this.idp.get(body.idTag)),
      ...(result.apiKey ? { apiKey: result.apiKey } : {}),
    };
  }

  @Get('identities/:idTag')
  async get(
    @Tenant() tenant: TenantContext,
    @Param('idTag', idTagParam) idTag: string,
  ): Promise<IdpIdentityView> {
    this.atIdp(tenant);
    return toIdentityView(await this.idp.get(idTag));
  }

  @Patch('identities/:idTag')
  async update(
    @Tenant() tenant: TenantContext,
    @Param('idTag', idTagParam) idTag: string,
    @Body(new ZodPipe(patchBody)) body: z.output<typeof patchBody>,
  ): Promise<IdpIdentityView> {
    this.atIdp(tenant);
    return toIdentityView(await this.idp.update(idTag, body));
  }

  @Delete('identities/:idTag')
  async delete(
    @Tenant() tenant: TenantContext,
    @Param('idTag', idTagParam) idTag: string,
  ): Promise<null> {
    this.atIdp(tenant);
    await this.idp.delete(idTag);
    return null;
  }

  /** Dynamic DNS: the identity's own `idp_` key (as Bearer), or a leader of the IdP. */
  @Put('identities/:idTag/address')
  @OptionalAuth()
  async setAddress(
    @Tenant() tenant: TenantContext,
    @Param('idTag', idTagParam) idTag: string,
    @Body(new ZodPipe(addressBody)) { address }: z.output<typeof addressBody>,
    @OptionalAuthUser() caller: AuthContext | undefined,
    @ApiKey() apiKey: string | undefined,
  ): Promise<IdpIdentityView> {
    this.atIdp(tenant);
    const credential = caller
      ? { leader: caller.roles.has('leader') }
      : apiKey?.startsWith('idp_')
        ? { apiKey }
        : undefined;
    if (!credential)
      throw new UnauthorizedError('a leader token or the identity’s idp_ key is required');
    return toIdentityView(await this.idp.setAddress(idTag, address, credential));
  }

  @Get('identities/:idTag/status')
  async status(
    @Tenant() tenant: TenantContext,
    @Param('idTag', idTagParam) idTag: string,
  ): Promise<{ status: string; expiresAt: string; providerName: string; email?: string }> {
    const { name } = this.atIdp(tenant);
    const row = await this.idp.get(idTag);
    return {
      status: row.status,
      expiresAt: row.expiresAt.toISOString(),
      providerName: name,
      ...(row.email ? { email: row.email } : {}),
    };
  }

  /** A new activation code (to pass on to the holder) and a new window. */
  @Post('identities/:idTag/resend')
  resend(
    @Tenant() tenant: TenantContext,
    @Param('idTag', idTagParam) idTag: string,
  ): Promise<{ activationRef: string; expiresAt: string }> {
    this.atIdp(tenant);
    return this.idp.resend(idTag);
  }

  @Get('api-keys')
  listKeys(
    @Tenant() tenant: TenantContext,
    @Query(new ZodPipe(keysQuery)) query: z.output<typeof keysQuery>,
  ): Promise<IdpApiKeyView[]> {
    this.atIdp(tenant);
    return this.idp.listApiKeys(query.idTag);
  }

  @Post('api-keys')
  createKey(
    @Tenant() tenant: TenantContext,
    @Body(new ZodPipe(keyBody)) body: z.output<typeof keyBody>,
  ): Promise<{ apiKey: IdpApiKeyView; plaintextKey: string }> {
    this.atIdp(tenant);
    return this.idp.createApiKey(body.idTag, body.name);
  }

  @Delete('api-keys/:id')
  async deleteKey(
    @Tenant() tenant: TenantContext,
    @Param('id', ParseIntPipe) id: number,
  ): Promise<null> {
    this.atIdp(tenant);
    await this.idp.deleteApiKey(id);
    return null;
  }

  /** Registrar quotas (ours: the reference keeps them without an API). */
  @Get('registrars/:idTag')
  async quota(@Tenant() tenant: TenantContext, @Param('idTag', idTagParam) idTag: string) {
    this.atIdp(tenant);
    return { registrarIdTag: idTag, ...(await this.idp.quotaOf(idTag)) };
  }

  @Put('registrars/:idTag')
  setQuota(
    @Tenant() tenant: TenantContext,
    @Param('idTag', idTagParam) idTag: string,
    @Body(new ZodPipe(quotaBody)) body: z.output<typeof quotaBody>,
  ) {
    this.atIdp(tenant);
    return this.idp.setQuota(idTag, body);
  }

  private atIdp(tenant: TenantContext) {
    const idp = this.idp.idp();
    if (idp.domain !== tenant.idTag) throw new NotFoundError('not an identity provider');
    return idp;
  }
}
