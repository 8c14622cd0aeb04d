import { z } from 'zod';

/** Who may change a setting (the reference's permission levels; only `user` is writable by tenants). */
export type SettingPermission = 'user' | 'system';

export interface SettingDefinition<T = unknown> {
  description: string;
  schema: z.ZodType<T>;
  default: T;
  scope: 'tenant';
  permission: SettingPermission;
}

function setting<T>(definition: SettingDefinition<T>): SettingDefinition<T> {
  return definition;
}

/**
 * The tenant settings this platform knows (reference names, protocol §8.1 `/api/settings`), as
 * data: a new setting is one entry. Values are validated by their schema; an unset one reads as
 * its default.
 */
export const SETTINGS = {
  'profile.connection_mode': setting({
    description: 'Incoming connection requests: M manual, A auto-accept, I ignore',
    schema: z.enum(['M', 'A', 'I']),
    default: 'M' as 'M' | 'A' | 'I',
    scope: 'tenant',
    permission: 'user',
  }),
  'profile.allow_followers': setting({
    description: 'Allow others to follow you',
    schema: z.boolean(),
    default: true,
    scope: 'tenant',
    permission: 'user',
  }),
} as const;

export type SettingName = keyof typeof SETTINGS;
export type SettingValue<N extends SettingName> = (typeof SETTINGS)[N]['default'];

export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];

export function isSettingName(name: string): name is SettingName {
  return Object.hasOwn(SETTINGS, name);
}
