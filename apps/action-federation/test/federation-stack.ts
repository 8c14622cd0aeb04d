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
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startTestBlob } from '../../blob/test/blob-stack';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { type BlobConfig } from '../../blob/src/config';
import { startActionFederation } from '../src/action-federation-app';
import { type FederationDeps } from '../src/app.module';
import { type FederationConfig } from '../src/config';

const PASSWORD = 'long-password';
/**
 * Shared by the gateway and the federation service, so that requests through the gateway take
 * the signed tenant header (as in a deployment) rather than the service resolving the tenant.
 */
const TENANT_HEADER_SECRET = 'federation-stack-tenant-header-secret';

/**
 * Verification in the test stacks: on a loaded CI machine (several suites on two cores) a request,
 * a key fetch or a NATS answer can time out now and then: retries quick enough for a test, spread
 * over long enough (≈ 25 s) that one slow moment fails nothing. Suites change single settings
 * with `{ ...TEST_VERIFY, holdMs }`.
 */
export const TEST_VERIFY: FederationConfig['verify'] = {
  backoffMs: 200,
  attempts: 8,
  concurrency: 8,
  batchMs: 10,
  sweepMs: 500,
  holdMs: 60_000,
};

/** Retention in the test stacks: the deployment's defaults. */
export const TEST_RETENTION: FederationConfig['retention'] = {
  refusedMs: 7 * 86_400_000,
  sweepMs: 3_600_000,
  deadLetterMaxAgeMs: 30 * 86_400_000,
  deadLetterMax: 100_000,
};

/** One deployment (identity, access-token, action-federation, gateway) with tenants logged in. */
export interface FederationStack {
  identity: IdentityHarness;
  auth: AuthHarness;
  federation: INestApplication;
  gateway: INestApplication;
  gatewayPort: number;
  config: FederationConfig;
  /** The blob service's settings, when it runs (`blob: true`). */
  blobConfig: BlobConfig | undefined;
  /** Takes this deployment off the network (gateway and federation service down)... */
  stopEdge(): Promise<void>;
  /** ...and back on, at the same addresses, with the same data and queues. */
  startEdge(): Promise<void>;
  /** Through the gateway, as clients and peers call. */
  call: ApiCall;
  tokens: Record<string, string>;
  close(): Promise<void>;
}

export async function startFederationStack(options: {
  tenants: string[];
  deps?: FederationDeps;
  /** Make the base tenant's domain an identity provider (protocol §1.5). */
  idpDomain?: string;
  /** The base tenant (default base.localhost, or the IdP domain). */
  baseIdTag?: string;
  /** Also log the base tenant in (server admin). */
  loginBase?: boolean;
  /** Chosen beforehand when other deployments must know it. */
  gatewayPort?: number;
  /** Other deployments: id_tag (or `*.<domain>`) → their gateway. */
  peers?: Record<string, string>;
  identityProviders?: string[];
  /** Federation settings to change (e.g. `workers: false` when another process runs them). */
  config?: Partial<FederationConfig>;
  /** Enforce the per-IP rate limits (protocol §9) at this deployment's gateway. */
  rateLimits?: boolean;
  /** Run the blob service too (attachments, file shares). */
  blob?: boolean;
  /** Identity's key rotation settings to change (e.g. a grace of 0: keys retire at once). */
  keyRotation?: Parameters<typeof startTestIdentity>[0]['keyRotation'];
}): Promise<FederationStack> {
  const gatewayPort = options.gatewayPort ?? (await freePort());
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const baseIdTag = options.idpDomain ?? options.baseIdTag ?? 'base.localhost';
  // Every tenant here is reached through this deployment's own gateway: delivery takes the
  // public path, inbox and verification included.
  const peers = {
    ...Object.fromEntries(options.tenants.map((idTag) => [idTag, gatewayUrl])),
    ...options.peers,
  };
  return buildStack(async (teardown) => {
    const identity = teardown.add(
      await startTestIdentity({
        baseIdTag,
        peers,
        ...(options.keyRotation ? { keyRotation: options.keyRotation } : {}),
        ...(options.identityProviders
          ? { registration: { identityProviders: options.identityProviders } }
          : {}),
        ...(options.idpDomain
          ? { idp: { domain: options.idpDomain, name: 'Test IdP', info: '' } }
          : {}),
      }),
      (h) => h.close(),
    );
    const auth = teardown.add(
      await startTestAccessToken({ natsUrl: identity.nats.url, loginFailureDelayMs: 0, peers }),
      (h) => h.close(),
    );
    const schema: TestSchema = teardown.add(await createTestSchema('action-federation'), (s) =>
      s.drop(),
    );
    const config: FederationConfig = {
      databaseUrl: testInfra().databaseUrl,
      dbSchema: schema.schema,
      natsUrl: identity.nats.url,
      tenantHeaderSecret: TENANT_HEADER_SECRET,
      redisUrl: testInfra().redisUrl,
      queuePrefix: uniqueName('fq').toLowerCase(),
      http: { host: '127.0.0.1', port: await freePort(), jsonLimitBytes: 16 * 1024 * 1024 },
      peers,
      peerTimeoutMs: 5_000,
      // On a loaded CI machine (several suites on two cores) a request, a key fetch or a NATS
      // answer can time out now and then: retries quick enough for a test, spread over long
      // enough (≈ 3 s of deliveries, ≈ 25 s of verification) that one slow moment fails nothing.
      delivery: { backoffMs: 100, attempts: 6, concurrency: 16 },
      verify: TEST_VERIFY,
      clockSkewSeconds: 300,
      workers: true,
      queueLockMs: 30_000,
      statDelayMs: 200,
      historyDelayMs: 500,
      breaker: { threshold: 5, openMs: 500, maxOpenMs: 5_000 },
      retention: TEST_RETENTION,
      ...options.config,
    };
    const blob = options.blob
      ? teardown.add(await startTestBlob({ natsUrl: identity.nats.url, peers }), (b) => b.close())
      : undefined;
    const startFederation = () =>
      startActionFederation(config, {
        ...(process.env['FED_TEST_LOGS'] ? {} : { logger: false as const }),
        ...options.deps,
      });
    const startEdgeGateway = () =>
      startGateway(
        {
          natsUrl: identity.nats.url,
          tenantHeaderSecret: config.tenantHeaderSecret,
          redisUrl: testInfra().redisUrl,
          http: { host: '127.0.0.1', port: gatewayPort },
          ...(options.rateLimits
            ? { rateLimits: { keyPrefix: uniqueName('rl'), networkFactor: 4 } }
            : {}),
          upstreams: {
            identity: `http://127.0.0.1:${identity.port}`,
            'access-token': `http://127.0.0.1:${auth.port}`,
            'action-federation': `http://127.0.0.1:${config.http.port}`,
            ...(blob ? { blob: `http://127.0.0.1:${blob.config.http.port}` } : {}),
          },
          bodyLimits: { json: 1024 * 1024, inbox: 16 * 1024 * 1024, stream: 1024 * 1024 },
          trustProxy: false,
          proxyTimeoutMs: 5_000,
          replayEntries: 1_000,
        },
        { logger: false },
      );
    // The edge (federation service and gateway) can be taken down and brought back; whichever
    // of them is running when the stack closes is closed.
    let federation: INestApplication | undefined;
    let gateway: INestApplication | undefined;
    const stopEdge = async () => {
      await gateway?.close();
      gateway = undefined;
      await federation?.close();
      federation = undefined;
    };
    teardown.add(stopEdge, (stop) => stop());
    const startEdge = async () => {
      federation = await startFederation();
      gateway = await startEdgeGateway();
    };
    await startEdge();
    const call = apiClient(gatewayPort);
    const members = options.loginBase ? [baseIdTag, ...options.tenants] : options.tenants;
    const tokens = await loggedInTenants(identity, call, members, PASSWORD);
    return {
      identity,
      auth,
      get federation() {
        return running(federation, 'federation');
      },
      get gateway() {
        return running(gateway, 'gateway');
      },
      gatewayPort,
      config,
      blobConfig: blob?.config,
      call,
      tokens,
      stopEdge,
      startEdge,
      close: () => teardown.close(),
    };
  });
}

function running(app: INestApplication | undefined, name: string): INestApplication {
  if (!app) throw new Error(`the ${name} of this stack is stopped`);
  return app;
}
