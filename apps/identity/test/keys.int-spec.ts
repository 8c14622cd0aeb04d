import { randomBytes } from 'node:crypto';

import { type INestApplication } from '@nestjs/common';
import { ContractClient, signWithTenantKey } from '@cloudillo/contracts';
import { decodeUnverifiedClaims, importPublicKey, verifyJwt } from '@cloudillo/crypto';
import { NatsRpcTransport } from '@cloudillo/messaging';
import {
  createTestSchema,
  httpRequest,
  startNatsServer,
  waitFor,
  type TestNatsServer,
  type TestSchema,
} from '@cloudillo/testing';
import { connect, type NatsConnection } from 'nats';
import { Client } from 'pg';

import { type IdentityConfig } from '../src/config';
import { startIdentity } from '../src/identity-app';
import { KeyRotationService } from '../src/keys/key-rotation.service';
import { TenantsService } from '../src/tenants/tenants.service';
import { testIdentityConfig } from './test-config';

const DAY_MS = 24 * 60 * 60 * 1000;

interface Me {
  data: { keys: { keyId: string; publicKey: string; expiresAt?: string }[] };
}

describe('identity keys: sealed at rest, signing over NATS, rotation (real Postgres, Redis, NATS)', () => {
  let schema: TestSchema;
  let nats: TestNatsServer;
  let app: INestApplication;
  let port: number;
  let nc: NatsConnection;
  let rpc: ContractClient;
  let config: IdentityConfig;
  let now = new Date('2026-01-10T12:00:00Z');

  beforeAll(async () => {
    schema = await createTestSchema('identity');
    nats = await startNatsServer();
    config = testIdentityConfig({
      dbSchema: schema.schema,
      natsUrl: nats.url,
      baseIdTag: 'keys.localhost',
      keyRotation: { periodMs: 90 * DAY_MS, graceMs: 30 * DAY_MS },
    });
    app = await startIdentity(config, { logger: false, clock: () => now });
    port = (app.getHttpServer().address() as { port: number }).port;
    nc = await connect({ servers: nats.url });
    rpc = new ContractClient(new NatsRpcTransport(nc));
  });

  afterAll(async () => {
    await nc?.drain();
    await app?.close();
    await schema?.drop();
    await nats?.stop();
  });

  const me = async (idTag = 'keys.localhost') =>
    httpRequest({ port, path: '/api/me', headers: { Host: `cl-o.${idTag}` } });
  const keysOf = async (idTag?: string) => ((await me(idTag)).json as Me).data.keys;

  it('stores private keys sealed (AES-256-GCM), never as PKCS#8', async () => {
    const pg = new Client({ connectionString: config.databaseUrl });
    await pg.connect();
    try {
      const { rows } = await pg.query<{ private_key: string }>(
        `select private_key from "${schema.schema}".keys`,
      );
      expect(rows.length).toBeGreaterThan(0);
      for (const { private_key } of rows) {
        expect(private_key).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
        expect(private_key).not.toContain('MIG2');
      }
    } finally {
      await pg.end();
    }
  });

  it('refuses to start with a key-encryption key that does not open the stored keys', async () => {
    await expect(
      startIdentity({ ...config, keyEncryptionKey: randomBytes(32) }, { logger: false }),
    ).rejects.toThrow(/IDENTITY_KEY_ENCRYPTION_KEY does not open/);
  });

  it('signs over NATS with the newest key: iss and k set by identity, verifiable with /api/me', async () => {
    const { token, keyId } = await rpc.request(signWithTenantKey, {
      idTag: 'keys.localhost',
      claims: { t: 'POST', c: 'hello', aud: 'bob.localhost' },
    });
    const [published] = await keysOf();
    expect(keyId).toBe(published!.keyId);
    const { claims } = await verifyJwt(token, importPublicKey(published!.publicKey), {
      requireLowS: true,
    });
    expect(claims).toMatchObject({
      iss: 'keys.localhost',
      k: keyId,
      t: 'POST',
      c: 'hello',
      iat: Math.floor(now.getTime() / 1000),
    });
  });

  it('refuses to sign for unknown tenants, or claims that try to set iss or k', async () => {
    await expect(
      rpc.request(signWithTenantKey, { idTag: 'nobody.localhost', claims: {} }),
    ).rejects.toMatchObject({
      code: 'E-CORE-NOTFOUND',
    });
    await expect(
      rpc.request(signWithTenantKey, {
        idTag: 'keys.localhost',
        claims: { iss: 'evil.localhost' },
      }),
    ).rejects.toMatchObject({ code: 'E-VAL-INVALID' });
  });

  it('rotates keys when due: the old key stays published with expiresAt, for good', async () => {
    const tenants = app.get(TenantsService);
    const rotation = app.get(KeyRotationService);
    await tenants.ensureTenant({
      idTag: 'fresh.localhost',
      name: 'Fresh',
      type: 'person',
      roles: [],
    });
    const before = await keysOf();
    const etagBefore = (await me()).headers['etag'];

    now = new Date(now.getTime() + 91 * DAY_MS);
    await tenants.ensureTenant({
      idTag: 'late.localhost',
      name: 'Late',
      type: 'person',
      roles: [],
    });
    const pass = await rotation.rotateDue();
    expect(pass.rotated).toBe(2); // keys.localhost and fresh.localhost; late.localhost is new

    const after = await keysOf();
    expect(after).toHaveLength(2);
    expect(after[0]).toEqual({ keyId: '260411', publicKey: expect.any(String) });
    expect(after[1]).toEqual({
      ...before[0],
      expiresAt: new Date(now.getTime() + 30 * DAY_MS).toISOString(),
    });
    expect((await me()).headers['etag']).not.toBe(etagBefore);
    expect(await keysOf('late.localhost')).toHaveLength(1);

    // Published before it signs: peers that read the profile just before see it first.
    const signedWith = async () =>
      decodeUnverifiedClaims(
        (await rpc.request(signWithTenantKey, { idTag: 'keys.localhost', claims: {} })).token,
      )['k'];
    expect(await signedWith()).toBe(before[0]!.keyId);
    now = new Date(now.getTime() + 9 * 60 * 1000);
    expect(await signedWith()).toBe(before[0]!.keyId);
    // Ten minutes after the rotation (plus the minute an opened key stays cached).
    now = new Date(now.getTime() + 2 * 60 * 1000);
    expect(await signedWith()).toBe('260411');

    // Retired, not removed: tokens it signed before are served for years (issue 20).
    now = new Date(now.getTime() + 31 * DAY_MS);
    await rotation.rotateDue();
    expect(await keysOf()).toEqual(after);
  });

  it('gives a second key made on the same day its own, greater id', async () => {
    const tenants = app.get(TenantsService);
    const tenant = await tenants.resolve('keys.localhost');
    const rotation = app.get(KeyRotationService);
    const first = await rotation.rotate(tenant);
    const second = await rotation.rotate(tenant);
    expect(second?.keyId).toBe(`${first?.keyId}b`);
    expect((await keysOf())[0]!.keyId).toBe(second?.keyId);
    // Published now, signing after the publish lead.
    expect(second?.signsFrom).toEqual(new Date(now.getTime() + 10 * 60 * 1000));
  });

  it('runs rotation on its own through the BullMQ scheduler', async () => {
    const scheduled = await startIdentity(
      {
        ...config,
        queuePrefix: `${config.queuePrefix}s`,
        keyRotation: { ...config.keyRotation, periodMs: 1, graceMs: DAY_MS, checkEveryMs: 1_000 },
      },
      { logger: false, clock: () => new Date() },
    );
    try {
      const scheduledPort = (scheduled.getHttpServer().address() as { port: number }).port;
      const count = async () =>
        (
          (
            await httpRequest({
              port: scheduledPort,
              path: '/api/me',
              headers: { Host: 'cl-o.late.localhost' },
            })
          ).json as Me
        ).data.keys.length;
      await waitFor(async () => (await count()) >= 2, 15_000, 'a scheduled rotation');
    } finally {
      await scheduled.close();
    }
  });

  it('answers 503 with a plain reason when a tenant’s key cannot be opened, and others keep signing', async () => {
    await app
      .get(TenantsService)
      .ensureTenant({ idTag: 'damaged.localhost', name: 'D', type: 'person', roles: [] });
    const pg = new Client({ connectionString: config.databaseUrl });
    await pg.connect();
    try {
      await pg.query(
        `update "${schema.schema}".keys set private_key = 'v1.garbage.garbage' where tn_id = (select tn_id from "${schema.schema}".tenants where id_tag = 'damaged.localhost')`,
      );
    } finally {
      await pg.end();
    }
    await expect(
      rpc.request(signWithTenantKey, { idTag: 'damaged.localhost', claims: { t: 'POST' } }),
    ).rejects.toMatchObject({
      code: 'E-SYS-UNAVAIL',
      message: expect.stringContaining('cannot be opened'),
    });
    await expect(
      rpc.request(signWithTenantKey, { idTag: 'keys.localhost', claims: { t: 'POST' } }),
    ).resolves.toMatchObject({ token: expect.any(String) });
  });
});
