import { type INestApplication } from '@nestjs/common';
import { setTenantPassword } from '@cloudillo/contracts';
import {
  apiClient,
  buildStack,
  freePort,
  type HttpResult,
  loginAs,
  testInfra,
  uniqueName,
} from '@cloudillo/testing';

// eslint-disable-next-line @nx/enforce-module-boundaries
import { startGateway } from '../../gateway/src/gateway-app';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { type IdentityHarness, startTestIdentity } from '../../identity/test/identity-harness';
import { type AuthHarness, startTestAccessToken } from './auth-harness';

/** Shared by this node's gateway and access-token: requests carry the gateway's signed tenant. */
const TENANT_HEADER_SECRET = 'platform-node tenant header secret, test only';

/**
 * One whole Cloudillo node on loopback — identity, access-token and a gateway, with its own NATS
 * server and schemas — reaching other nodes only over HTTP through the peer map.
 */
export interface PlatformNode {
  idTag: string;
  gatewayPort: number;
  identity: IdentityHarness;
  auth: AuthHarness;
  gateway: INestApplication;
  /** A request through this node's gateway, as `cl-o.<host>`. */
  call(
    host: string,
    method: string,
    path: string,
    token?: string,
    body?: unknown,
  ): Promise<HttpResult>;
  login(idTag: string, password: string): Promise<string>;
  close(): Promise<void>;
}

/** Gateway ports chosen before any node starts, so every node's peer map can name the others. */
export async function reservePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = await freePort();
    if (!ports.includes(port)) ports.push(port);
  }
  return ports;
}

export async function startPlatformNode(options: {
  idTag: string;
  gatewayPort: number;
  peers: Record<string, number>;
  password: string;
}): Promise<PlatformNode> {
  const peers = Object.fromEntries(
    Object.entries(options.peers).map(([idTag, port]) => [idTag, `http://127.0.0.1:${port}`]),
  );
  return buildStack(async (teardown) => {
    const identity = teardown.add(
      await startTestIdentity({ baseIdTag: options.idTag, peers }),
      (h) => h.close(),
    );
    const auth = teardown.add(
      await startTestAccessToken({
        natsUrl: identity.nats.url,
        peers,
        loginFailureDelayMs: 0,
        tenantHeaderSecret: TENANT_HEADER_SECRET,
      }),
      (h) => h.close(),
    );
    await identity.rpc.request(setTenantPassword, {
      idTag: options.idTag,
      password: options.password,
    });
    const gateway = teardown.add(
      await startGateway(
        {
          natsUrl: identity.nats.url,
          redisUrl: testInfra().redisUrl,
          rateLimits: { keyPrefix: uniqueName('rl'), networkFactor: 4 },
          http: { host: '127.0.0.1', port: options.gatewayPort },
          upstreams: {
            identity: `http://127.0.0.1:${identity.port}`,
            'access-token': `http://127.0.0.1:${auth.port}`,
          },
          bodyLimits: { json: 64 * 1024, inbox: 1024 * 1024, stream: 1024 * 1024 },
          trustProxy: false,
          proxyTimeoutMs: 5_000,
          replayEntries: 1_000,
          tenantHeaderSecret: TENANT_HEADER_SECRET,
        },
        { logger: false },
      ),
      (g) => g.close(),
    );
    const api = apiClient(options.gatewayPort);
    const call = (host: string, method: string, path: string, token?: string, body?: unknown) =>
      api(host, method, path, {
        ...(token ? { token } : {}),
        ...(body === undefined ? {} : { body }),
      });
    return {
      idTag: options.idTag,
      gatewayPort: options.gatewayPort,
      identity,
      auth,
      gateway,
      call,
      login: (idTag, password) => loginAs(api, idTag, password),
      close: () => teardown.close(),
    };
  });
}

/** Two whole nodes that reach each other through their gateways; each id_tag is its node's base. */
export async function startNodePair(
  a: { idTag: string; password: string },
  b: { idTag: string; password: string },
): Promise<[PlatformNode, PlatformNode]> {
  const [portA, portB] = (await reservePorts(2)) as [number, number];
  return Promise.all([
    startPlatformNode({ ...a, gatewayPort: portA, peers: { [b.idTag]: portB } }),
    startPlatformNode({ ...b, gatewayPort: portB, peers: { [a.idTag]: portA } }),
  ]);
}
