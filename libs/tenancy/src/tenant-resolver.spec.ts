import { type TenantContext } from './tenant-context';
import { TenantResolver } from './tenant-resolver';

/** A source answering from a table it may change; counts what it was asked. */
function table(tenants: Record<string, TenantContext>) {
  const asked: string[] = [];
  const source = async (idTag: string) => {
    asked.push(idTag);
    return tenants[idTag];
  };
  return { source, asked };
}

// Not 0: lru-cache takes an entry stored at time 0 as one that never expires.
let now = 1_000_000;
const clock = () => now;
const alice: TenantContext = { idTag: 'alice.localhost', tnId: 1, status: 'A' };

describe('TenantResolver', () => {
  it('answers hits from its cache until the TTL, misses until the shorter negative TTL', async () => {
    const { source, asked } = table({ 'alice.localhost': alice });
    const resolver = new TenantResolver(source, { ttlMs: 1000, negativeTtlMs: 100, now: clock });
    await expect(resolver.lookup('alice.localhost')).resolves.toEqual(alice);
    await expect(resolver.lookup('nobody.localhost')).resolves.toBeUndefined();
    now += 99;
    await resolver.lookup('alice.localhost');
    await resolver.lookup('nobody.localhost');
    expect(asked).toEqual(['alice.localhost', 'nobody.localhost']);
    now += 2;
    await resolver.lookup('nobody.localhost');
    expect(asked).toHaveLength(3);
    now += 900;
    await resolver.lookup('alice.localhost');
    expect(asked).toHaveLength(4);
  });

  it('shares one question among concurrent lookups, and never keeps a failure', async () => {
    let fail = true;
    const asked: string[] = [];
    const resolver = new TenantResolver(async (idTag) => {
      asked.push(idTag);
      if (fail) throw new Error('identity is down');
      return alice;
    });
    await expect(resolver.lookup('alice.localhost')).rejects.toThrow('identity is down');
    fail = false;
    await Promise.all([1, 2, 3].map(() => resolver.lookup('alice.localhost')));
    expect(asked).toHaveLength(2);
  });

  it('admits only active tenants: suspended 503, purging 404', async () => {
    const { source } = table({
      'sus.localhost': { ...alice, idTag: 'sus.localhost', status: 'S' },
      'gone.localhost': { ...alice, idTag: 'gone.localhost', status: 'X' },
    });
    const resolver = new TenantResolver(source);
    await expect(resolver.active('sus.localhost')).rejects.toMatchObject({ status: 503 });
    await expect(resolver.lookup('gone.localhost')).resolves.toBeUndefined();
    await expect(resolver.require('gone.localhost')).rejects.toMatchObject({ status: 404 });
  });

  it('forgets on demand, and isLive tells a purged id_tag taken by a new tenant', async () => {
    const tenants = { 'alice.localhost': alice };
    const resolver = new TenantResolver(table(tenants).source, { now: clock });
    await expect(resolver.isLive(alice)).resolves.toBe(true);
    tenants['alice.localhost'] = { ...alice, tnId: 2 };
    await expect(resolver.isLive(alice)).resolves.toBe(true); // still cached
    resolver.forget('alice.localhost');
    await expect(resolver.isLive(alice)).resolves.toBe(false);
  });
});
