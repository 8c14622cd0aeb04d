import { envBytes, envPort, envUrl, parseEnv } from '@cloudillo/config';
import { idTagSchema } from '@cloudillo/protocol';
import { z } from 'zod';

const schema = z.object({
  DATABASE_URL: envUrl(['postgresql', 'postgres']),
  NATS_URL: envUrl(['nats']),
  IDENTITY_HTTP_HOST: z.string().default('127.0.0.1'),
  IDENTITY_HTTP_PORT: envPort(8101),
  IDENTITY_DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/)
    .default('identity'),
  IDENTITY_JSON_LIMIT: envBytes('1m'),
  IDENTITY_BASE_ID_TAG: idTagSchema,
  IDENTITY_BASE_NAME: z.string().min(1).max(200).optional(),
});

export interface IdentityConfig {
  databaseUrl: string;
  dbSchema: string;
  natsUrl: string;
  http: { host: string; port: number; jsonLimitBytes: number };
  /** The base tenant (server admin, role SADM) created on first start (protocol §1.6). */
  baseTenant: { idTag: string; name: string };
}

function firstLabel(idTag: string): string {
  const [label = idTag] = idTag.split('.');
  return label;
}

export function loadIdentityConfig(
  env: Record<string, string | undefined> = process.env,
): IdentityConfig {
  const e = parseEnv(schema, env);
  return {
    databaseUrl: e.DATABASE_URL,
    dbSchema: e.IDENTITY_DB_SCHEMA,
    natsUrl: e.NATS_URL,
    http: {
      host: e.IDENTITY_HTTP_HOST,
      port: e.IDENTITY_HTTP_PORT,
      jsonLimitBytes: e.IDENTITY_JSON_LIMIT,
    },
    baseTenant: {
      idTag: e.IDENTITY_BASE_ID_TAG,
      name: e.IDENTITY_BASE_NAME ?? firstLabel(e.IDENTITY_BASE_ID_TAG),
    },
  };
}
