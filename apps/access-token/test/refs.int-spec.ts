import { consumeRef, releaseRef } from '@cloudillo/contracts';
import { type ApiCall, type HttpResult } from '@cloudillo/testing';

import { type AuthStack, startAuthStack } from './auth-stack';

const BASE = 'base.localhost';

describe('refs (real Postgres and NATS)', () => {
  let stack: AuthStack;

  const call: ApiCall = (...args) => stack.call(...args);
  const data = <T>(res: HttpResult) => (res.json as { data: T }).data;
  const create = (host: string, body: unknown) =>
    call(host, 'POST', '/api/refs', { token: stack.tokens[host], body });

  beforeAll(async () => {
    stack = await startAuthStack({
      tenants: ['alice.localhost', 'bob.localhost'],
      loginBase: true,
    });
  });

  afterAll(() => stack?.close());

  it('creates a share link in the client’s tRef shape, lists it and shows it publicly', async () => {
    const res = await create('alice.localhost', {
      type: 'share.file',
      resourceId: 'f1~abc',
      accessLevel: 'write',
      count: 2,
      description: 'for Bob',
    });
    expect(res.status).toBe(201);
    const ref = data<{ refId: string }>(res);
    expect(ref).toEqual({
      refId: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      type: 'share.file',
      resourceId: 'f1~abc',
      accessLevel: 'write',
      count: 2,
      description: 'for Bob',
      createdAt: expect.any(String),
    });
    const list = await call('alice.localhost', 'GET', '/api/refs?type=share.file', {
      token: stack.tokens['alice.localhost'],
    });
    expect(data<{ refId: string }[]>(list).map((r) => r.refId)).toContain(ref.refId);
    expect((await call('alice.localhost', 'GET', `/api/refs/${ref.refId}`)).status).toBe(200);
    expect((await call('bob.localhost', 'GET', `/api/refs/${ref.refId}`)).status).toBe(404);
  });

  it('counts uses atomically: a last use goes to exactly one of many consumers; release gives it back', async () => {
    const ref = data<{ refId: string }>(
      await create('alice.localhost', {
        type: 'share.file',
        resourceId: 'f1~x',
        accessLevel: 'read',
        count: 1,
      }),
    );
    const attempts = await Promise.allSettled(
      Array.from({ length: 6 }, () =>
        stack.identity.rpc.request(consumeRef, {
          tenant: 'alice.localhost',
          refId: ref.refId,
          types: ['share.file'],
        }),
      ),
    );
    expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
    const refused = attempts.find((a) => a.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: 'E-CORE-GONE' });
    expect((await call('alice.localhost', 'GET', `/api/refs/${ref.refId}`)).status).toBe(404);
    await expect(
      stack.identity.rpc.request(releaseRef, { tenant: 'alice.localhost', refId: ref.refId }),
    ).resolves.toEqual({
      released: true,
    });
    await expect(
      stack.identity.rpc.request(consumeRef, {
        tenant: 'alice.localhost',
        refId: ref.refId,
        types: ['share.file'],
      }),
    ).resolves.toMatchObject({
      type: 'share.file',
      resourceId: 'f1~x',
      accessLevel: 'R',
      createdBy: 'alice.localhost',
    });
  });

  it('keeps refs to their tenant and their types', async () => {
    const ref = data<{ refId: string }>(
      await create('alice.localhost', {
        type: 'share.file',
        resourceId: 'f1~x',
        accessLevel: 'read',
        count: 5,
      }),
    );
    await expect(
      stack.identity.rpc.request(consumeRef, {
        tenant: 'bob.localhost',
        refId: ref.refId,
        types: ['share.file'],
      }),
    ).rejects.toMatchObject({ code: 'E-CORE-NOTFOUND' });
    await expect(
      stack.identity.rpc.request(consumeRef, {
        tenant: 'alice.localhost',
        refId: ref.refId,
        types: ['register'],
      }),
    ).rejects.toMatchObject({ code: 'E-CORE-NOTFOUND' });
    const foreign = await call('bob.localhost', 'DELETE', `/api/refs/${ref.refId}`, {
      token: stack.tokens['bob.localhost'],
    });
    expect(foreign.status).toBe(404);
    const crossTenant = await call('bob.localhost', 'GET', '/api/refs', {
      token: stack.tokens['alice.localhost'],
    });
    expect(crossTenant.status).toBe(401);
    const changed = await call('alice.localhost', 'PATCH', `/api/refs/${ref.refId}`, {
      token: stack.tokens['alice.localhost'],
      body: { count: 1, description: 'one more' },
    });
    expect(data(changed)).toMatchObject({ count: 1, description: 'one more' });
    const deleted = await call('alice.localhost', 'DELETE', `/api/refs/${ref.refId}`, {
      token: stack.tokens['alice.localhost'],
    });
    expect(data(deleted)).toEqual({ refId: ref.refId });
  });

  it('lets only the server admin invite registrations and communities, and nobody make system refs', async () => {
    expect((await create('alice.localhost', { type: 'register' })).status).toBe(403);
    // (Issue 21: a tenant inviting itself to create communities.)
    expect((await create('alice.localhost', { type: 'profile.invite' })).status).toBe(403);
    expect((await create('alice.localhost', { type: 'welcome' })).status).toBe(403);
    expect((await create(BASE, { type: 'register', count: 1 })).status).toBe(201);
    expect((await create(BASE, { type: 'profile.invite', count: 1 })).status).toBe(201);
  });

  it.each([
    ['a share link without its file', { type: 'share.file' }],
    ['an expiry in the past', { type: 'profile.invite', expiresAt: '2001-01-01T00:00:00Z' }],
    ['zero uses', { type: 'profile.invite', count: 0 }],
    ['an unknown type', { type: 'anything' }],
    ['an unknown field', { type: 'profile.invite', owner: 'me' }],
  ])('refuses %s with 400 and stores nothing', async (_name, body) => {
    const before = data<unknown[]>(
      await call('alice.localhost', 'GET', '/api/refs', { token: stack.tokens['alice.localhost'] }),
    );
    const res = await create('alice.localhost', body);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: { code: 'E-VAL-INVALID' } });
    const after = data<unknown[]>(
      await call('alice.localhost', 'GET', '/api/refs', { token: stack.tokens['alice.localhost'] }),
    );
    expect(after).toHaveLength(before.length);
  });
});
