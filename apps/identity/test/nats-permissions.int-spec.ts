import { randomBytes } from 'node:crypto';
import path from 'node:path';

import { type INestApplication } from '@nestjs/common';
import {
  accessTokenKeys,
  ContractClient,
  getTenant,
  resolveKey,
  resolveTenant,
  rotateTenantKey,
  setTenantPassword,
  signWithTenantKey,
  tenantPurged,
} from '@cloudillo/contracts';
import { NatsRpcTransport, natsConnectionOptions } from '@cloudillo/messaging';
import {
  createTestSchema,
  startNatsServer,
  type TestNatsServer,
  type TestSchema,
} from '@cloudillo/testing';
import { connect, type NatsConnection } from 'nats';

// eslint-disable-next-line @nx/enforce-module-boundaries
import { testAuthConfig } from '../../access-token/test/auth-harness';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startAccessToken } from '../../access-token/src/access-token-app';
import { startIdentity } from '../src/identity-app';
import { testIdentityConfig } from './test-config';

const PERMISSIONS = path.resolve(__dirname, '../../../deploy/nats/permissions.conf');
const SERVICES = [
  'identity',
  'gateway',
  'access-token',
  'action-federation',
  'blob',
  'collaboration',
  'portal',
  'operator',
];

/** deploy/nats/permissions.conf on a real nats-server: who may ask identity to sign. */
describe('NATS permissions of a deployment', () => {
  // NATS parses a substituted variable as a value: a password must not look like a number.
  const passwords = Object.fromEntries(
    SERVICES.map((s) => [s, `p${randomBytes(12).toString('hex')}`]),
  );
  const env = Object.fromEntries(
    SERVICES.map((s) => [`NATS_PASSWORD_${s.toUpperCase().replace(/-/g, '_')}`, passwords[s]!]),
  );
  let schema: TestSchema;
  let nats: TestNatsServer;
  let identity: INestApplication;
  let accessToken: INestApplication;
  let authSchema: TestSchema;
  const connections: NatsConnection[] = [];

  const clientAs = async (service: string) => {
    const nc = await connect(natsConnectionOptions(nats.urlFor(service, passwords[service]!)));
    connections.push(nc);
    return new ContractClient(new NatsRpcTransport(nc));
  };

  beforeAll(async () => {
    schema = await createTestSchema('identity');
    nats = await startNatsServer({
      configFile: PERMISSIONS,
      env,
      probe: { user: 'gateway', pass: passwords['gateway']! },
    });
    identity = await startIdentity(
      testIdentityConfig({
        dbSchema: schema.schema,
        natsUrl: nats.urlFor('identity', passwords['identity']!),
        baseIdTag: 'perm.localhost',
      }),
      { logger: false },
    );
    authSchema = await createTestSchema('access-token');
    accessToken = await startAccessToken(
      testAuthConfig({
        dbSchema: authSchema.schema,
        natsUrl: nats.urlFor('access-token', passwords['access-token']!),
      }),
      { logger: false },
    );
  });

  afterAll(async () => {
    await Promise.all(connections.map((nc) => nc.close()));
    await accessToken?.close();
    await authSchema?.drop();
    await identity?.close();
    await schema?.drop();
    await nats?.stop();
  });

  it.each(['access-token', 'action-federation'])(
    'lets %s ask identity to sign',
    async (service) => {
      const rpc = await clientAs(service);
      await expect(
        rpc.request(signWithTenantKey, { idTag: 'perm.localhost', claims: { t: 'PROXY' } }),
      ).resolves.toMatchObject({
        token: expect.any(String),
      });
    },
  );

  it.each(['gateway', 'blob', 'collaboration', 'portal', 'operator'])(
    'refuses %s publishing identity.key.sign.v1',
    async (service) => {
      const rpc = await clientAs(service);
      await expect(
        rpc.request(signWithTenantKey, { idTag: 'perm.localhost', claims: { t: 'PROXY' } }),
      ).rejects.toThrow(/permissions violation/i);
    },
  );

  it('lets the operator CLI administer tenants, and nothing else', async () => {
    const rpc = await clientAs('operator');
    await expect(rpc.request(getTenant, { idTag: 'perm.localhost' })).resolves.toMatchObject({
      idTag: 'perm.localhost',
    });
    await expect(rpc.request(resolveTenant, { idTag: 'perm.localhost' })).resolves.toBeDefined();
    await expect(rpc.request(resolveKey, { idTag: 'perm.localhost', keyId: 'x' })).rejects.toThrow(
      /permissions violation/i,
    );
  });

  it('lets identity publish its events', async () => {
    const watcher = await connect(
      natsConnectionOptions(nats.urlFor('access-token', passwords['access-token']!)),
    );
    connections.push(watcher);
    const sub = watcher.subscribe('identity.key.rotated.v1', { max: 1 });
    await watcher.flush();
    const operator = await clientAs('operator');
    await operator.request(rotateTenantKey, { idTag: 'perm.localhost' });
    for await (const msg of sub) {
      expect(JSON.parse(new TextDecoder().decode(msg.data))).toMatchObject({
        data: { idTag: 'perm.localhost' },
      });
    }
  });

  it.each(['gateway', 'access-token', 'action-federation', 'blob'])(
    'lets %s hear tenant purges (it forgets or removes the tenant’s data)',
    async (service) => {
      const listener = await connect(
        natsConnectionOptions(nats.urlFor(service, passwords[service]!)),
      );
      connections.push(listener);
      const heard = new Promise<unknown>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${service} heard nothing`)), 3_000);
        new ContractClient(new NatsRpcTransport(listener)).subscribe(tenantPurged, (event) => {
          clearTimeout(timer);
          resolve(event);
        });
      });
      await listener.flush();
      const event = { idTag: `nobody-${service}.localhost`, tnId: 999_999 };
      await (await clientAs('identity')).publish(tenantPurged, event);
      await expect(heard).resolves.toEqual(event);
    },
  );

  it.each(['identity', 'action-federation', 'blob', 'collaboration'])(
    'lets %s load the access-token verification keys',
    async (service) => {
      const rpc = await clientAs(service);
      await expect(rpc.request(accessTokenKeys, {})).resolves.toMatchObject({
        keys: [{ kid: expect.any(String), publicKey: expect.any(String) }],
      });
    },
  );

  it('lets the operator set a password, and not the gateway', async () => {
    const input = { idTag: 'perm.localhost', password: 'a-long-password' };
    await expect((await clientAs('operator')).request(setTenantPassword, input)).resolves.toEqual({
      revokedSessions: 0,
    });
    await expect((await clientAs('gateway')).request(setTenantPassword, input)).rejects.toThrow(
      /permissions violation/i,
    );
  });

  it('still lets the gateway resolve tenants', async () => {
    const rpc = await clientAs('gateway');
    await expect(rpc.request(resolveTenant, { idTag: 'perm.localhost' })).resolves.toMatchObject({
      idTag: 'perm.localhost',
    });
  });

  it('refuses connections without a valid password', async () => {
    await expect(
      connect({ ...natsConnectionOptions(nats.urlFor('access-token', 'wrong')), reconnect: false }),
    ).rejects.toThrow();
    await expect(connect({ servers: nats.url, reconnect: false })).rejects.toThrow();
  });
});
