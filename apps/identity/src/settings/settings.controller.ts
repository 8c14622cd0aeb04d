import { Body, Controller, Delete, Get, Param, Put } from '@nestjs/common';
import { Tenant, Authenticated, ZodPipe } from '@cloudillo/http';
import { type TenantContext } from '@cloudillo/tenancy';
import { z } from 'zod';

import { type SettingView, SettingsService } from './settings.service';

const nameParam = new ZodPipe(z.string().regex(/^[a-z][a-z0-9_.]{0,99}$/, 'not a setting name'));
const putBody = z.object({ value: z.unknown() }).strict();

/** `/api/settings` (protocol §8.1): the tenant's leaders read and change its settings. */
@Controller('api/settings')
@Authenticated({ role: 'leader' })
export class SettingsController {
  constructor(private readonly settings: SettingsService) {}

  @Get()
  list(@Tenant() tenant: TenantContext): Promise<SettingView[]> {
    return this.settings.list(tenant.tnId);
  }

  @Get(':name')
  get(
    @Tenant() tenant: TenantContext,
    @Param('name', nameParam) name: string,
  ): Promise<SettingView> {
    return this.settings.get(tenant.tnId, name);
  }

  /** Answers `{}` (client contract). */
  @Put(':name')
  async set(
    @Tenant() tenant: TenantContext,
    @Param('name', nameParam) name: string,
    @Body(new ZodPipe(putBody)) body: z.output<typeof putBody>,
  ): Promise<Record<string, never>> {
    await this.settings.set(tenant.tnId, name, body.value);
    return {};
  }

  /** Back to the default; answers `null`. */
  @Delete(':name')
  async reset(
    @Tenant() tenant: TenantContext,
    @Param('name', nameParam) name: string,
  ): Promise<void> {
    await this.settings.reset(tenant.tnId, name);
  }
}
