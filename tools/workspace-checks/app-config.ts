import { randomBytes } from 'node:crypto';
import path from 'node:path';

type EnvLoader = (env: Record<string, string | undefined>) => unknown;

/** An app's own config loader (`load…Config(env)` in `apps/<app>/src/config.ts`). */
export function configLoaderOf(root: string, app: string): EnvLoader {
  const module = require(path.join(root, 'apps', app, 'src/config')) as Record<string, unknown>;
  const loaders = Object.entries(module).filter(
    ([name, value]) => /^load\w*Config$/.test(name) && typeof value === 'function',
  );
  const [only, ...others] = loaders;
  if (!only || others.length > 0)
    throw new Error(`apps/${app}/src/config.ts: expected one load…Config`);
  return only[1] as EnvLoader;
}

/**
 * What an operator's secrets hold, in the shape each app expects: the deployment files name
 * them but cannot carry them. A secret the files start to use needs an entry here.
 */
const SECRET_VALUES: Record<string, string> = {
  DATABASE_URL: 'postgresql://cloudillo:secret@postgres:5432/cloudillo',
  S3_ACCESS_KEY: 'cloudillo',
  S3_SECRET_KEY: 'a-long-s3-secret',
  IDENTITY_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  AUTH_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  AUTH_SMTP_URL: 'smtp://mailer:secret@smtp.example.net:587',
  TENANT_HEADER_SECRET: randomBytes(32).toString('base64'),
};

export function secretValue(name: string): string {
  const value = SECRET_VALUES[name];
  if (value === undefined) throw new Error(`no sample value for the secret ${name}`);
  return value;
}
