import { ContractClient } from '@cloudillo/contracts';
import { NotFoundError, UnavailableError } from '@cloudillo/protocol';

import { TenantDirectory } from './tenant-directory';

function directory(answer: (idTag: string) => unknown, options = {}) {
  const calls: string[] = [];
  const transport = {
    request: jest.fn(async (_subject: string, payload: unknown) => {
      const { idTag } = payload as { idTag: string };
      calls.push(idTag);
      return answer(idTag);
    }),
    publish: jest.fn(),
    subscribe: jest.fn((subject: string, onMessage: (payload: unknown) => void) => {
      listeners.set(subject, onMessage);
      return () => listeners.delete(subject);
    }),
  };
  const listeners = new Map<string, (payload: unknown) => void>();
  let clock = 0;
  const dir = new TenantDirectory(new ContractClient(transport), { now: () => clock, ...options });
  const emit = (subject: string, payload: unknown) => listeners.get(subject)?.(payload);
  return { dir, calls, emit, tick: (ms: number) => (clock += ms) };
}

const tenant = (idTag: string) => ({ tnId: 1, idTag, type: 'person', status: 'A' });

describe('TenantDirectory', () => {
  it('forgets a suspended or reactivated tenant at once when it follows changes', async () => {
    const { dir, calls, emit } = directory(tenant, { positiveTtlMs: 60_000 });
    const stop = dir.followChanges();
    await dir.lookup('demo.localhost');
    emit('identity.tenant.status-changed.v1', { idTag: 'demo.localhost', tnId: 1, status: 'S' });
    await dir.lookup('demo.localhost');
    expect(calls).toHaveLength(2);
    stop();
    emit('identity.tenant.status-changed.v1', { idTag: 'demo.localhost', tnId: 1, status: 'A' });
    await dir.lookup('demo.localhost');
    expect(calls).toHaveLength(2);
  });

  it('forgets a purged tenant at once when it follows changes', async () => {
    const { dir, calls, emit } = directory(tenant, { positiveTtlMs: 60_000 });
    await dir.lookup('demo.localhost');
    emit('identity.tenant.purged.v1', { idTag: 'other.localhost', tnId: 2 });
    await dir.lookup('demo.localhost');
    expect(calls).toHaveLength(1);
    const stop = dir.followChanges();
    emit('identity.tenant.purged.v1', { idTag: 'demo.localhost', tnId: 1 });
    await dir.lookup('demo.localhost');
    expect(calls).toHaveLength(2);
    stop();
  });

  it('caches hits for the positive TTL', async () => {
    const { dir, calls, tick } = directory(tenant, { positiveTtlMs: 1000 });
    await expect(dir.lookup('demo.localhost')).resolves.toMatchObject({ idTag: 'demo.localhost' });
    await dir.lookup('demo.localhost');
    expect(calls).toHaveLength(1);
    tick(1001);
    await dir.lookup('demo.localhost');
    expect(calls).toHaveLength(2);
  });

  it('caches "not ours" for the shorter negative TTL', async () => {
    const { dir, calls, tick } = directory(
      () => {
        throw { error: { code: 'E-CORE-NOTFOUND', message: 'no', status: 404 } };
      },
      { negativeTtlMs: 100 },
    );
    await expect(dir.lookup('nobody.localhost')).resolves.toBeUndefined();
    await dir.lookup('nobody.localhost');
    expect(calls).toHaveLength(1);
    tick(101);
    await dir.lookup('nobody.localhost');
    expect(calls).toHaveLength(2);
  });

  it('does not cache outages, and shares one request among concurrent lookups', async () => {
    let fail = true;
    const { dir, calls } = directory((idTag) => {
      if (fail) throw new UnavailableError('down');
      return tenant(idTag);
    });
    await expect(dir.lookup('demo.localhost')).rejects.toThrow('down');
    fail = false;
    const results = await Promise.all([1, 2, 3].map(() => dir.lookup('demo.localhost')));
    expect(results.every((r) => r?.idTag === 'demo.localhost')).toBe(true);
    expect(calls).toHaveLength(2);
  });

  it('stays within its bound by evicting the oldest entries', async () => {
    const { dir, calls } = directory(tenant, { maxEntries: 2 });
    for (const t of ['aaaaa.localhost', 'bbbbb.localhost', 'ccccc.localhost']) await dir.lookup(t);
    await dir.lookup('ccccc.localhost');
    await dir.lookup('aaaaa.localhost');
    expect(calls).toEqual([
      'aaaaa.localhost',
      'bbbbb.localhost',
      'ccccc.localhost',
      'aaaaa.localhost',
    ]);
  });

  it('passes handler errors other than not-found through', async () => {
    const { dir } = directory(() => {
      throw { error: { code: 'E-AUTH-NOPERM', message: 'no', status: 403 } };
    });
    await expect(dir.lookup('demo.localhost')).rejects.toMatchObject({ code: 'E-AUTH-NOPERM' });
  });

  it('treats a typed not-found error like its wire form', async () => {
    const { dir } = directory(() => {
      throw new NotFoundError('x');
    });
    await expect(dir.lookup('demo.localhost')).resolves.toBeUndefined();
  });
});
