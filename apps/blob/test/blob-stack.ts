import { tmpdir } from 'node:os';

import { type INestApplication } from '@nestjs/common';
import {
  type ApiCall,
  apiClient,
  buildStack,
  createTestSchema,
  freePort,
  testInfra,
  type TestSchema,
  uniqueName,
} from '@cloudillo/testing';
import { S3BlobStore } from '@cloudillo/storage';

// eslint-disable-next-line @nx/enforce-module-boundaries
import { type AuthHarness, startTestAccessToken } from '../../access-token/test/auth-harness';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startGateway } from '../../gateway/src/gateway-app';
// eslint-disable-next-line @nx/enforce-module-boundaries
import {
  type IdentityHarness,
  loggedInTenants,
  startTestIdentity,
} from '../../identity/test/identity-harness';

import { startBlob } from '../src/blob-app';
import { type BlobConfig } from '../src/config';
import { type Clock } from '../src/tokens';

const PASSWORD = 'long-password';
/** Shared by the gateway and blob: requests reach blob with the tenant the gateway resolved. */
const TENANT_HEADER_SECRET = 'blob-stack-tenant-header-secret-0123456789';

/** One deployment (identity, access-token, blob, gateway) with tenants logged in. */
export interface BlobStack {
  identity: IdentityHarness;
  auth: AuthHarness;
  blob: INestApplication;
  config: BlobConfig;
  gatewayPort: number;
  /** Through the gateway, as clients call. */
  call: ApiCall;
  tokens: Record<string, string>;
  close(): Promise<void>;
}

export async function startBlobStack(options: {
  tenants: string[];
  config?: Partial<BlobConfig>;
  limits?: Partial<BlobConfig['limits']>;
  clock?: Clock;
  /** More peers (id_tag → base URL), e.g. a fake one. */
  peers?: Record<string, string>;
}): Promise<BlobStack> {
  const gatewayPort = await freePort();
  // Every tenant is reached through this gateway, so tenants here can get proxy tokens at each other.
  const peers = {
    ...Object.fromEntries(
      options.tenants.map((idTag) => [idTag, `http://127.0.0.1:${gatewayPort}`]),
    ),
    ...options.peers,
  };
  return buildStack(async (teardown) => {
    const identity = teardown.add(
      await startTestIdentity({ baseIdTag: 'base.localhost', peers }),
      (h) => h.close(),
    );
    const auth = teardown.add(
      await startTestAccessToken({ natsUrl: identity.nats.url, loginFailureDelayMs: 0, peers }),
      (h) => h.close(),
    );
    const { app: blob, config } = teardown.add(
      await startTestBlob({
        natsUrl: identity.nats.url,
        peers,
        config: { tenantHeaderSecret: TENANT_HEADER_SECRET, ...options.config },
        ...(options.limits ? { limits: options.limits } : {}),
        ...(options.clock ? { clock: options.clock } : {}),
      }),
      (b) => b.close(),
    );
    teardown.add(
      await startGateway(
        {
          natsUrl: identity.nats.url,
          tenantHeaderSecret: TENANT_HEADER_SECRET,
          redisUrl: testInfra().redisUrl,
          http: { host: '127.0.0.1', port: gatewayPort },
          upstreams: {
            identity: `http://127.0.0.1:${identity.port}`,
            'access-token': `http://127.0.0.1:${auth.port}`,
            blob: `http://127.0.0.1:${config.http.port}`,
          },
          bodyLimits: {
            json: 1024 * 1024,
            inbox: 16 * 1024 * 1024,
            stream: 1024 * 1024 * 1024,
          },
          trustProxy: false,
          proxyTimeoutMs: 30_000,
          replayEntries: 1_000,
        },
        { logger: false },
      ),
      (g) => g.close(),
    );
    const call = apiClient(gatewayPort);
    const tokens = await loggedInTenants(identity, call, options.tenants, PASSWORD);
    return {
      identity,
      auth,
      blob,
      config,
      gatewayPort,
      call,
      tokens,
      close: () => teardown.close(),
    };
  });
}

/** A blob service on its own schema and bucket, for any test deployment that needs files. */
export async function startTestBlob(options: {
  natsUrl: string;
  peers: Record<string, string>;
  config?: Partial<BlobConfig>;
  limits?: Partial<BlobConfig['limits']>;
  clock?: Clock;
}): Promise<{ app: INestApplication; config: BlobConfig; close(): Promise<void> }> {
  return buildStack(async (teardown) => {
    const schema: TestSchema = teardown.add(await createTestSchema('blob'), (s) => s.drop());
    const { s3, databaseUrl } = testInfra();
    const config: BlobConfig = {
      databaseUrl,
      dbSchema: schema.schema,
      natsUrl: options.natsUrl,
      redisUrl: testInfra().redisUrl,
      queuePrefix: uniqueName('bq').toLowerCase(),
      workers: true,
      images: { maxPixels: 4_000_000, concurrency: 1 },
      media: {
        ffmpeg: 'ffmpeg',
        ffprobe: 'ffprobe',
        timeoutMs: 60_000,
        tmpDir: tmpdir(),
        concurrency: 1,
      },
      http: { host: '127.0.0.1', port: await freePort(), jsonLimitBytes: 1024 * 1024 },
      s3: { ...s3, bucket: uniqueName('blob').replaceAll('_', '-').toLowerCase() },
      partSizeBytes: 5 * 1024 * 1024,
      limits: {
        fileBytes: 50 * 1024 * 1024,
        streamBytes: 100 * 1024 * 1024,
        tenantQuotaBytes: 1024 * 1024 * 1024,
        ...options.limits,
      },
      gc: { graceMs: 60_000, intervalMs: 3_600_000 },
      peers: options.peers,
      peerTimeoutMs: 10_000,
      ...options.config,
    };
    teardown.add(new S3BlobStore({ ...config.s3, partSizeBytes: config.partSizeBytes }), (store) =>
      store.destroyBucket(),
    );
    const app = teardown.add(
      await startBlob(config, {
        logger: false,
        ...(options.clock ? { clock: options.clock } : {}),
      }),
      (a) => a.close(),
    );
    return { app, config, close: () => teardown.close() };
  });
}
