/**
 * Connection settings of the real backing services, which `npm test` (scripts/test.sh) starts
 * and exports. A missing setting fails the test loudly: integration tests never skip silently.
 */
export interface TestInfra {
  databaseUrl: string;
  redisUrl: string;
  natsUrl: string;
  s3: { endpoint: string; region: string; accessKey: string; secretKey: string };
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set: run integration tests through \`npm test\`, which starts the backing services`,
    );
  }
  return value;
}

export function testInfra(): TestInfra {
  return {
    databaseUrl: required('DATABASE_URL'),
    redisUrl: required('REDIS_URL'),
    natsUrl: required('NATS_URL'),
    s3: {
      endpoint: required('S3_ENDPOINT'),
      region: process.env['S3_REGION'] ?? 'us-east-1',
      accessKey: required('S3_ACCESS_KEY'),
      secretKey: required('S3_SECRET_KEY'),
    },
  };
}

/** A name no other test file or run will pick: lower case, safe as a schema, bucket or subject part. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}
