import { NotFoundError } from '@cloudillo/protocol';

import { ContractClient, type RpcTransport } from '../client';
import { toRpcError } from '../rpc-error';
import { resolveTenant } from './resolve-tenant';
import { TenantIdCache } from './tenant-id-cache';
import { tenantPurged } from './tenants';

/** Identity as far as the cache sees it: tenants by id_tag, and the purge event. */
function fakeIdentity(tenants: Record<string, { tnId: number; status: string }>) {
  const asked: string[] = [];
  const listeners = new Map<string, (payload: unknown) => void>();
  const transport: RpcTransport = {
    async request(subject, payload) {
      expect(subject).toBe(resolveTenant.subject);
      const { idTag } = payload as { idTag: string };
      asked.push(idTag);
      const tenant = tenants[idTag];
      if (!tenant) throw toRpcError(new NotFoundError(`no ${idTag}`));
      return { ...tenant, idTag, type: 'person' };
    },
    publish: () => Promise.resolve(), // the cache publishes nothing
    subscribe(subject, onMessage) {
      listeners.set(subject, onMessage);
      return () => listeners.delete(subject);
    },
  };
  return {
    rpc: new ContractClient(transport),
    asked,
    purge: (idTag: string, tnId: number) => listeners.get(tenantPurged.subject)?.({ idTag, tnId }),
  };
}

describe('TenantIdCache', () => {
  let now = 0;
  const clock = () => now;

  it('asks identity once per id_tag within the TTL, again after it', async () => {
    const identity = fakeIdentity({ 'a.localhost': { tnId: 7, status: 'A' } });
    const cache = new TenantIdCache(identity.rpc, clock, { ttlMs: 1_000 });
    expect(await cache.of('a.localhost')).toBe(7);
    now += 999;
    expect(await cache.of('a.localhost')).toBe(7);
    expect(identity.asked).toEqual(['a.localhost']);
    now += 1;
    await cache.of('a.localhost');
    expect(identity.asked).toEqual(['a.localhost', 'a.localhost']);
  });

  it('an id_tag that is not ours, or is being purged, is not found', async () => {
    const identity = fakeIdentity({ 'gone.localhost': { tnId: 3, status: 'X' } });
    const cache = new TenantIdCache(identity.rpc, clock);
    await expect(cache.of('gone.localhost')).rejects.toBeInstanceOf(NotFoundError);
    await expect(cache.of('other.localhost')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('a purge drops the entry at once and is passed on; stopped, it no longer listens', async () => {
    const tenants = { 'a.localhost': { tnId: 7, status: 'A' } };
    const identity = fakeIdentity(tenants);
    const cache = new TenantIdCache(identity.rpc, clock);
    const heard: unknown[] = [];
    cache.start((purged) => heard.push(purged));
    await cache.of('a.localhost');
    tenants['a.localhost'].status = 'X';
    identity.purge('a.localhost', 7);
    expect(heard).toEqual([{ idTag: 'a.localhost', tnId: 7 }]);
    await expect(cache.of('a.localhost')).rejects.toBeInstanceOf(NotFoundError);
    cache.stop();
    identity.purge('a.localhost', 7);
    expect(heard).toHaveLength(1);
  });

  it('keeps at most maxEntries, forgetting the oldest', async () => {
    const identity = fakeIdentity({
      'a.localhost': { tnId: 1, status: 'A' },
      'b.localhost': { tnId: 2, status: 'A' },
    });
    const cache = new TenantIdCache(identity.rpc, clock, { maxEntries: 1 });
    await cache.of('a.localhost');
    await cache.of('b.localhost');
    await cache.of('b.localhost');
    await cache.of('a.localhost');
    expect(identity.asked).toEqual(['a.localhost', 'b.localhost', 'a.localhost']);
  });
});
