import { ContractClient, type RpcTransport, toRpcError } from '@cloudillo/contracts';
import { NotFoundError, UnavailableError } from '@cloudillo/protocol';

import { type TenantContext, TenantResolver, type TenantResolverOptions } from '@cloudillo/tenancy';

import { followTenantChanges, identityTenantSource } from './identity-source';

type Answer = (idTag: string) => unknown;

/** Identity as the resolver sees it over NATS: tenants by id_tag, and its two events. */
function fakeIdentity(answer: Answer) {
  const asked: string[] = [];
  const listeners = new Map<string, (payload: unknown) => void>();
  const transport: RpcTransport = {
    request: async (_subject, payload) => {
      const { idTag } = payload as { idTag: string };
      asked.push(idTag);
      return answer(idTag);
    },
    publish: () => Promise.resolve(),
    subscribe: (subject, onMessage) => {
      listeners.set(subject, onMessage);
      return () => listeners.delete(subject);
    },
  };
  const rpc = new ContractClient(transport);
  const emit = (subject: string, payload: unknown) => listeners.get(subject)?.(payload);
  return { rpc, asked, emit };
}

function resolverFor(answer: Answer, options: TenantResolverOptions = {}) {
  const identity = fakeIdentity(answer);
  // Not 0: lru-cache takes an entry stored at time 0 as one that never expires.
  let clock = 1_000_000;
  const resolver = new TenantResolver(identityTenantSource(identity.rpc), {
    now: () => clock,
    ...options,
  });
  return { ...identity, resolver, tick: (ms: number) => (clock += ms) };
}

const active = (idTag: string) => ({ tnId: 1, idTag, type: 'person', status: 'A' });
const notOurs = () => {
  throw toRpcError(new NotFoundError('no'));
};

describe('TenantResolver over identity (identity.tenant.resolve.v1)', () => {
  it('resolves an id_tag to its context', async () => {
    const { resolver } = resolverFor(active);
    await expect(resolver.lookup('demo.localhost')).resolves.toEqual<TenantContext>({
      idTag: 'demo.localhost',
      tnId: 1,
      status: 'A',
    });
  });

  it('caches hits for the TTL', async () => {
    const { resolver, asked, tick } = resolverFor(active, { ttlMs: 1000 });
    await resolver.lookup('demo.localhost');
    tick(999);
    await resolver.lookup('demo.localhost');
    expect(asked).toHaveLength(1);
    tick(2);
    await resolver.lookup('demo.localhost');
    expect(asked).toHaveLength(2);
  });

  it('caches "not ours" for the shorter negative TTL', async () => {
    const { resolver, asked, tick } = resolverFor(notOurs, { negativeTtlMs: 100 });
    await expect(resolver.lookup('nobody.localhost')).resolves.toBeUndefined();
    await resolver.lookup('nobody.localhost');
    expect(asked).toHaveLength(1);
    tick(101);
    await resolver.lookup('nobody.localhost');
    expect(asked).toHaveLength(2);
  });

  it('does not cache outages, and shares one request among concurrent lookups', async () => {
    let fail = true;
    const { resolver, asked } = resolverFor((idTag) => {
      if (fail) throw toRpcError(new UnavailableError('down'));
      return active(idTag);
    });
    await expect(resolver.lookup('demo.localhost')).rejects.toThrow('down');
    fail = false;
    const results = await Promise.all([1, 2, 3].map(() => resolver.lookup('demo.localhost')));
    expect(results.every((r) => r?.idTag === 'demo.localhost')).toBe(true);
    expect(asked).toHaveLength(2);
  });

  it('stays within its bound by evicting the least recently used', async () => {
    const { resolver, asked } = resolverFor(active, { maxEntries: 2 });
    for (const t of ['aaaaa.localhost', 'bbbbb.localhost', 'ccccc.localhost'])
      await resolver.lookup(t);
    await resolver.lookup('ccccc.localhost');
    await resolver.lookup('aaaaa.localhost');
    expect(asked).toEqual([
      'aaaaa.localhost',
      'bbbbb.localhost',
      'ccccc.localhost',
      'aaaaa.localhost',
    ]);
  });

  it('passes errors other than not-found through', async () => {
    const { resolver } = resolverFor(() => {
      throw { error: { code: 'E-AUTH-NOPERM', message: 'no', status: 403 } };
    });
    await expect(resolver.lookup('demo.localhost')).rejects.toMatchObject({
      code: 'E-AUTH-NOPERM',
    });
  });

  it('a purging tenant (X) is not found; require and active answer 404', async () => {
    const { resolver } = resolverFor((idTag) => ({ ...active(idTag), status: 'X' }));
    await expect(resolver.lookup('gone.localhost')).resolves.toBeUndefined();
    await expect(resolver.require('gone.localhost')).rejects.toBeInstanceOf(NotFoundError);
    await expect(resolver.active('gone.localhost')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('a suspended tenant is found, but not admitted: 503 E-SYS-UNAVAIL', async () => {
    const { resolver } = resolverFor((idTag) => ({ ...active(idTag), status: 'S' }));
    await expect(resolver.require('sus.localhost')).resolves.toMatchObject({ status: 'S' });
    await expect(resolver.active('sus.localhost')).rejects.toMatchObject({
      code: 'E-SYS-UNAVAIL',
      status: 503,
    });
  });

  it('isLive: the same tnId under the id_tag, not a new tenant that took it', async () => {
    let tnId = 1;
    const { resolver } = resolverFor((idTag) => ({ ...active(idTag), tnId }));
    await expect(resolver.isLive({ idTag: 'demo.localhost', tnId: 1 })).resolves.toBe(true);
    tnId = 2;
    resolver.forget('demo.localhost');
    await expect(resolver.isLive({ idTag: 'demo.localhost', tnId: 1 })).resolves.toBe(false);
  });

  it('a forget while the source is asked asks again rather than keep the older answer', async () => {
    let status = 'A';
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { resolver, asked } = resolverFor(async (idTag) => {
      const answer = { ...active(idTag), status };
      if (asked.length === 1) await gate;
      return answer;
    });
    const pending = resolver.lookup('demo.localhost');
    await Promise.resolve();
    status = 'S';
    resolver.forget('demo.localhost');
    release();
    await expect(pending).resolves.toMatchObject({ status: 'S' });
    expect(asked).toHaveLength(2);
  });
});

describe('followTenantChanges', () => {
  it('forgets a tenant at once on a status change or a purge, until stopped', async () => {
    const { resolver, asked, emit, rpc } = resolverFor(active, { ttlMs: 60_000 });
    const heard: unknown[] = [];
    const stop = followTenantChanges(rpc, resolver, (change) => heard.push(change));
    await resolver.lookup('demo.localhost');
    emit('identity.tenant.status-changed.v1', { idTag: 'demo.localhost', tnId: 1, status: 'S' });
    await resolver.lookup('demo.localhost');
    emit('identity.tenant.purged.v1', { idTag: 'demo.localhost', tnId: 1 });
    await resolver.lookup('demo.localhost');
    expect(asked).toHaveLength(3);
    expect(heard).toEqual([
      { idTag: 'demo.localhost', tnId: 1, kind: 'status' },
      { idTag: 'demo.localhost', tnId: 1, kind: 'purged' },
    ]);
    stop();
    emit('identity.tenant.purged.v1', { idTag: 'demo.localhost', tnId: 1 });
    await resolver.lookup('demo.localhost');
    expect(asked).toHaveLength(3);
  });
});
