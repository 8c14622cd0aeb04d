import { type INestApplication } from '@nestjs/common';
import {
  type ApiCall,
  apiClient,
  buildStack,
  createTestSchema,
  dataOf,
  freePort,
  testInfra,
  uniqueName,
} from '@cloudillo/testing';
import { WebSocket } from 'ws';

// eslint-disable-next-line @nx/enforce-module-boundaries
import { type AuthHarness, startTestAccessToken } from '../../access-token/test/auth-harness';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startTestBlob } from '../../blob/test/blob-stack';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startGateway } from '../../gateway/src/gateway-app';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { testGatewayConfig } from '../../gateway/test/test-gateway-config';
// eslint-disable-next-line @nx/enforce-module-boundaries
import {
  type IdentityHarness,
  loggedInTenants,
  startTestIdentity,
} from '../../identity/test/identity-harness';

import { startCollaboration } from '../src/collaboration-app';
import { type CollaborationConfig } from '../src/config';

const PASSWORD = 'long-password';
const TENANT_HEADER_SECRET = 'collab-stack-tenant-header-secret-0123456789';

/** One deployment (identity, access-token, blob, collaboration, gateway), tenants logged in. */
export interface CollabStack {
  identity: IdentityHarness;
  auth: AuthHarness;
  config: CollaborationConfig;
  collaboration: INestApplication;
  gatewayPort: number;
  /** Through the gateway, as clients call. */
  call: ApiCall;
  tokens: Record<string, string>;
  /** A new file of the tenant's (CRDT or RTDB), as its owner. */
  createFile(idTag: string, fileTp: 'CRDT' | 'RTDB' | 'FLDR'): Promise<string>;
  /** Another collaboration instance on the same database and NATS. */
  startReplica(): Promise<{ port: number; close(): Promise<void> }>;
  close(): Promise<void>;
}

/** A `ws` WebSocket that sends the tenant's Host, for clients that take a WebSocket class. */
export function hostedWebSocket(idTag: string): new (url: string | URL) => WebSocket {
  return class HostedWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { headers: { Host: `cl-o.${idTag}` } });
    }
  };
}

export async function startCollabStack(options: {
  tenants: string[];
  config?: Partial<CollaborationConfig>;
}): Promise<CollabStack> {
  const gatewayPort = await freePort();
  const peers = Object.fromEntries(
    options.tenants.map((idTag) => [idTag, `http://127.0.0.1:${gatewayPort}`]),
  );
  return buildStack(async (teardown) => {
    const identity = teardown.add(
      await startTestIdentity({ baseIdTag: 'base.localhost', peers }),
      (h) => h.close(),
    );
    const auth = teardown.add(
      await startTestAccessToken({ natsUrl: identity.nats.url, loginFailureDelayMs: 0, peers }),
      (h) => h.close(),
    );
    const blob = teardown.add(
      await startTestBlob({
        natsUrl: identity.nats.url,
        peers,
        config: { tenantHeaderSecret: TENANT_HEADER_SECRET },
      }),
      (b) => b.close(),
    );
    const schema = teardown.add(await createTestSchema('collaboration'), (s) => s.drop());
    const config: CollaborationConfig = {
      databaseUrl: testInfra().databaseUrl,
      dbSchema: schema.schema,
      natsUrl: identity.nats.url,
      tenantHeaderSecret: TENANT_HEADER_SECRET,
      http: { host: '127.0.0.1', port: await freePort(), jsonLimitBytes: 1024 * 1024 },
      limits: { frameBytes: 4 * 1024 * 1024, documentBytes: 16 * 1024 * 1024 },
      compactAfter: 500,
      pingMs: 15_000,
      ...options.config,
    };
    const collaboration = teardown.add(await startCollaboration(config, { logger: false }), (a) =>
      a.close(),
    );
    teardown.add(
      await startGateway(
        testGatewayConfig(identity, {
          tenantHeaderSecret: TENANT_HEADER_SECRET,
          http: { host: '127.0.0.1', port: gatewayPort },
          upstreams: {
            identity: `http://127.0.0.1:${identity.port}`,
            'access-token': `http://127.0.0.1:${auth.port}`,
            blob: `http://127.0.0.1:${blob.config.http.port}`,
            collaboration: `http://127.0.0.1:${config.http.port}`,
          },
        }),
        { logger: false },
      ),
      (g) => g.close(),
    );
    const call = apiClient(gatewayPort);
    const tokens = await loggedInTenants(identity, call, options.tenants, PASSWORD);
    const replicas: INestApplication[] = [];
    teardown.add(replicas, (list) => Promise.all(list.map((r) => r.close())));
    return {
      identity,
      auth,
      config,
      collaboration,
      gatewayPort,
      call,
      tokens,
      async createFile(idTag, fileTp) {
        const res = await call(idTag, 'POST', '/api/files', {
          token: tokens[idTag],
          body: { fileTp, fileName: uniqueName('doc') },
        });
        if (res.status !== 201) throw new Error(`file not created: ${res.status} ${res.text}`);
        return dataOf<{ fileId: string }>(res).fileId;
      },
      async startReplica() {
        const port = await freePort();
        const app = await startCollaboration(
          { ...config, http: { ...config.http, port } },
          { logger: false },
        );
        replicas.push(app);
        return {
          port,
          close: async () => {
            replicas.splice(replicas.indexOf(app), 1);
            await app.close();
          },
        };
      },
      close: () => teardown.close(),
    };
  });
}
