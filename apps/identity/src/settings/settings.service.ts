import { Injectable } from '@nestjs/common';
import {
  ForbiddenError,
  isSettingName,
  NotFoundError,
  SETTING_NAMES,
  SETTINGS,
  type SettingName,
  ValidationError,
} from '@cloudillo/protocol';

import { TenantsService } from '../tenants/tenants.service';
import { SettingsRepository } from './settings.repository';

/** A setting as `/api/settings` shows it (client contract `tGetSettingResult`). */
export interface SettingView {
  key: string;
  value: unknown;
  scope: string;
  permission: string;
  description: string;
}

/** Tenant settings (protocol §8.1): known names only, values checked by their definitions. */
@Injectable()
export class SettingsService {
  constructor(
    private readonly tenants: TenantsService,
    private readonly settings: SettingsRepository,
  ) {}

  async list(tenant: string): Promise<SettingView[]> {
    const values = await this.values(tenant, SETTING_NAMES);
    return SETTING_NAMES.map((name) => view(name, values[name]));
  }

  async get(tenant: string, name: string): Promise<SettingView> {
    const known = this.known(name);
    return view(known, (await this.values(tenant, [known]))[known]);
  }

  /** Each asked name's value, or its default when never set. */
  async values(tenant: string, names: readonly string[]): Promise<Record<string, unknown>> {
    const { tnId } = await this.tenants.resolve(tenant);
    const stored = await this.settings.values(tnId, names);
    return Object.fromEntries(
      names.filter(isSettingName).map((name) => [name, stored.get(name) ?? SETTINGS[name].default]),
    );
  }

  async set(tenant: string, name: string, value: unknown): Promise<void> {
    const known = this.known(name);
    const definition = SETTINGS[known];
    if (definition.permission !== 'user') throw new ForbiddenError(`${name} is not yours to set`);
    const parsed = definition.schema.safeParse(value);
    if (!parsed.success)
      throw new ValidationError(`invalid value for ${name}`, parsed.error.issues);
    const { tnId } = await this.tenants.resolve(tenant);
    await this.settings.set(tnId, known, parsed.data);
  }

  async reset(tenant: string, name: string): Promise<void> {
    const known = this.known(name);
    const { tnId } = await this.tenants.resolve(tenant);
    await this.settings.reset(tnId, known);
  }

  private known(name: string): SettingName {
    if (!isSettingName(name)) throw new NotFoundError(`no setting ${name}`);
    return name;
  }
}

function view(name: SettingName, value: unknown): SettingView {
  const { scope, permission, description } = SETTINGS[name];
  return { key: name, value, scope, permission, description };
}
