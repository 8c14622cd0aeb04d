import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

import { type INestApplication } from '@nestjs/common';
import { type ContractClient, tenantPurged, type TenantView } from '@cloudillo/contracts';
import { httpRequest } from '@cloudillo/testing';
import { type NatsConnection } from 'nats';

// The CLI is tested against a real identity service; tests may start another app, sources never do.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { type IdentityHarness, startTestIdentity } from '../../identity/test/identity-harness';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { type AuthHarness, startTestAccessToken } from '../../access-token/test/auth-harness';
import { runCommand, UsageError } from '../src/commands';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../../..');

describe('operator CLI against a real identity service (NATS, Postgres)', () => {
  let h: IdentityHarness;
  let identity: INestApplication;
  let nc: NatsConnection;
  let rpc: ContractClient;
  let nats: { url: string };
  const cli = (...argv: string[]) => runCommand(argv, rpc);
  const json = async <T>(...argv: string[]) => JSON.parse(await cli(...argv, '--json')) as T;

  beforeAll(async () => {
    h = await startTestIdentity({ baseIdTag: 'admin.localhost' });
    ({ app: identity, nc, rpc, nats } = h);
  });

  afterAll(() => h?.close());

  it('creates tenants that then serve /api/me', async () => {
    const created = await json<TenantView>(
      'tenant',
      'create',
      'alice.localhost',
      '--name',
      'Alice',
    );
    expect(created).toMatchObject({
      idTag: 'alice.localhost',
      name: 'Alice',
      type: 'person',
      status: 'A',
      keys: [{ keyId: expect.any(String) }],
    });
    expect(await cli('tenant', 'create', 'club.localhost', '--type', 'community')).toMatch(
      /^created club\.localhost \(tn_id \d+, key \w+\)$/,
    );
    const port = (identity.getHttpServer().address() as { port: number }).port;
    const me = await httpRequest({
      port,
      path: '/api/me',
      headers: { Host: 'cl-o.club.localhost' },
    });
    expect(me.json).toMatchObject({
      data: { idTag: 'club.localhost', type: 'community', name: 'club' },
    });
  });

  it('refuses duplicates and invalid id_tags with their codes, writing nothing', async () => {
    await expect(cli('tenant', 'create', 'alice.localhost')).rejects.toMatchObject({
      code: 'E-CORE-CONFLICT',
    });
    for (const bad of [
      'Alice.localhost',
      'a_b.localhost',
      'x@y.localhost',
      'a.b',
      `${'a'.repeat(60)}.com`,
      'alice.localhost.',
    ]) {
      await expect(cli('tenant', 'create', bad)).rejects.toMatchObject({ code: 'E-VAL-INVALID' });
    }
    const page = await json<{ items: TenantView[] }>('tenant', 'list');
    expect(page.items.map((t) => t.idTag)).toEqual([
      'admin.localhost',
      'alice.localhost',
      'club.localhost',
    ]);
  });

  it('lists with search and keyset pages', async () => {
    expect(
      (await json<{ items: TenantView[] }>('tenant', 'list', '--search', 'ALI')).items.map(
        (t) => t.idTag,
      ),
    ).toEqual(['alice.localhost']);
    const first = await json<{ items: TenantView[]; next?: number }>(
      'tenant',
      'list',
      '--limit',
      '2',
    );
    expect(first.items).toHaveLength(2);
    expect(first.next).toBe(first.items[1]!.tnId);
    const table = await cli('tenant', 'list');
    expect(table.split('\n')[0]).toMatch(/^TN_ID\s+ID_TAG\s+TYPE\s+STATUS\s+KEYS\s+CREATED$/);
  });

  it('suspends, reactivates, rotates and purges (announcing the purge)', async () => {
    expect((await json<TenantView>('tenant', 'suspend', 'alice.localhost')).status).toBe('S');
    expect((await json<TenantView>('tenant', 'reactivate', 'alice.localhost')).status).toBe('A');
    const { keyId, signsFrom } = await json<{ keyId: string; signsFrom: string }>(
      'tenant',
      'rotate-key',
      'alice.localhost',
    );
    // Published at once; it signs once peers have had the publish lead to see it.
    expect(Date.parse(signsFrom) - Date.now()).toBeGreaterThan(5 * 60 * 1000);
    const shown = await json<TenantView>('tenant', 'show', 'alice.localhost');
    expect(shown.keys[0]).toEqual({ keyId });
    expect(shown.keys[1]?.expiresAt).toBeDefined();

    const announced = new Promise<unknown>((resolve) => {
      const sub = nc.subscribe(tenantPurged.subject, { max: 1 });
      void (async () => {
        for await (const msg of sub)
          resolve((JSON.parse(new TextDecoder().decode(msg.data)) as { data: unknown }).data);
      })();
    });
    await nc.flush();
    expect(await cli('tenant', 'purge', 'alice.localhost')).toMatch(/^purged alice\.localhost/);
    await expect(announced).resolves.toMatchObject({ idTag: 'alice.localhost' });
    const gone = await json<TenantView>('tenant', 'show', 'alice.localhost');
    expect(gone).toMatchObject({ status: 'X', keys: [] });
    const port = (identity.getHttpServer().address() as { port: number }).port;
    expect(
      (await httpRequest({ port, path: '/api/me', headers: { Host: 'cl-o.alice.localhost' } }))
        .status,
    ).toBe(404);
    await expect(cli('tenant', 'reactivate', 'alice.localhost')).rejects.toMatchObject({
      code: 'E-CORE-NOTFOUND',
    });
  });

  it('protects the base tenant and reports unknown tenants', async () => {
    await expect(cli('tenant', 'purge', 'admin.localhost')).rejects.toMatchObject({
      code: 'E-CORE-CONFLICT',
    });
    await expect(cli('tenant', 'suspend', 'admin.localhost')).rejects.toMatchObject({
      code: 'E-CORE-CONFLICT',
    });
    await expect(cli('tenant', 'show', 'nobody.localhost')).rejects.toMatchObject({
      code: 'E-CORE-NOTFOUND',
    });
  });

  it('explains its usage', async () => {
    await expect(cli('tenant')).rejects.toBeInstanceOf(UsageError);
    await expect(cli('tenant', 'show')).rejects.toThrow(/needs an id_tag/);
    await expect(cli('tenant', 'create', 'x.localhost', '--type', 'robot')).rejects.toThrow(
      /person or community/,
    );
    await expect(cli('tenant', 'list', '--limit', '0')).rejects.toThrow(/1 to 500/);
  });

  it('runs as a process with exit codes 0, 1 and 2', async () => {
    const bin = ['--no-install', 'tsx', path.join(ROOT, 'apps/cli/src/main.ts')];
    const env = { ...process.env, NATS_URL: nats.url };
    const ok = await run('npx', [...bin, 'tenant', 'show', 'club.localhost', '--json'], {
      env,
      cwd: ROOT,
    });
    expect(JSON.parse(ok.stdout)).toMatchObject({ idTag: 'club.localhost' });
    await expect(
      run('npx', [...bin, 'tenant', 'show', 'nobody.localhost'], { env, cwd: ROOT }),
    ).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('E-CORE-NOTFOUND'),
    });
    await expect(run('npx', [...bin, 'nonsense'], { env, cwd: ROOT })).rejects.toMatchObject({
      code: 2,
    });
  });

  describe('with the access-token service', () => {
    let auth: AuthHarness;
    beforeAll(async () => {
      auth = await startTestAccessToken({ natsUrl: nats.url });
    });
    afterAll(() => auth?.close());

    const login = (idTag: string, password: string) =>
      httpRequest({
        port: auth.port,
        method: 'POST',
        path: '/api/auth/login',
        headers: { Host: `cl-o.${idTag}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ idTag, password }),
      });

    it('creates a tenant with a password that logs in, and sets a new one', async () => {
      await cli('tenant', 'create', 'pat.localhost', '--password', 'first-password');
      expect((await login('pat.localhost', 'first-password')).status).toBe(200);
      expect(
        await cli('tenant', 'set-password', 'pat.localhost', '--password', 'second-password'),
      ).toBe('password of pat.localhost set; 1 session(s) revoked');
      expect((await login('pat.localhost', 'first-password')).status).toBe(401);
      expect((await login('pat.localhost', 'second-password')).status).toBe(200);
      await expect(cli('tenant', 'set-password', 'pat.localhost')).rejects.toThrow(UsageError);
      await expect(
        cli('tenant', 'set-password', 'pat.localhost', '--password', 'short'),
      ).rejects.toMatchObject({ code: 'E-VAL-INVALID' });
    });
  });
});
