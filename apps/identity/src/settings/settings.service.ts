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
  constructor(private readonly settings: SettingsRepository) {}

  async list(tnId: number): Promise<SettingView[]> {
    const values = await this.values(tnId, SETTING_NAMES);
    return SETTING_NAMES.map((name) => view(name, values[name]));
  }

  async get(tnId: number, name: string): Promise<SettingView> {
    const known = this.known(name);
    return view(known, (await this.values(tnId, [known]))[known]);
  }

  /** Each asked name's value, or its default when never set. */
  async values(tnId: number, names: readonly string[]): Promise<Record<string, unknown>> {
    const stored = await this.settings.values(tnId, names);
    return Object.fromEntries(
      names.filter(isSettingName).map((name) => [name, stored.get(name) ?? SETTINGS[name].default]),
    );
  }

  async set(tnId: number, name: string, value: unknown): Promise<void> {
    const known = this.known(name);
    const definition = SETTINGS[known];
    if (definition.permission !== 'user') throw new ForbiddenError(`${name} is not yours to set`);
    const parsed = definition.schema.safeParse(value);
    if (!parsed.success)
      throw new ValidationError(`invalid value for ${name}`, parsed.error.issues);
    await this.settings.set(tnId, known, parsed.data);
  }

  async reset(tnId: number, name: string): Promise<void> {
    const known = this.known(name);
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
