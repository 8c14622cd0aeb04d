import { readTenantHeader, signTenantHeader, TENANT_HEADER_MAX_AGE_S } from './tenant-header';

const SECRET = 's'.repeat(32);
const NOW = 1_800_000_000;
const tenant = { idTag: 'alice.localhost', tnId: 42, status: 'A' } as const;

describe('tenant header', () => {
  it('round-trips the tenant for the same Host within its age', () => {
    const value = signTenantHeader(tenant, SECRET, NOW);
    expect(readTenantHeader(value, 'alice.localhost', SECRET, NOW + 10)).toEqual(tenant);
    const suspended = signTenantHeader({ ...tenant, status: 'S' }, SECRET, NOW);
    expect(readTenantHeader(suspended, 'alice.localhost', SECRET, NOW)?.status).toBe('S');
  });

  it('does not fit another Host, another secret, or a changed field', () => {
    const value = signTenantHeader(tenant, SECRET, NOW);
    expect(readTenantHeader(value, 'bob.localhost', SECRET, NOW)).toBeUndefined();
    expect(readTenantHeader(value, 'alice.localhost', 't'.repeat(32), NOW)).toBeUndefined();
    const [, status, issuedAt, mac] = value.split('.');
    const otherTenant = ['43', status, issuedAt, mac].join('.');
    expect(readTenantHeader(otherTenant, 'alice.localhost', SECRET, NOW)).toBeUndefined();
    const unsuspended = value.replace('.A.', '.S.');
    expect(readTenantHeader(unsuspended, 'alice.localhost', SECRET, NOW)).toBeUndefined();
  });

  it('expires, and is not accepted from the future', () => {
    const value = signTenantHeader(tenant, SECRET, NOW);
    const late = NOW + TENANT_HEADER_MAX_AGE_S + 1;
    expect(readTenantHeader(value, 'alice.localhost', SECRET, late)).toBeUndefined();
    expect(readTenantHeader(value, 'alice.localhost', SECRET, NOW - 60)).toBeUndefined();
  });

  it('ignores anything malformed', () => {
    for (const value of [
      undefined,
      ['a', 'b'],
      '',
      'x.A.1.y',
      '42.A.1800000000',
      '42.Q.1.' + 'a'.repeat(43),
    ])
      expect(readTenantHeader(value, 'alice.localhost', SECRET, NOW)).toBeUndefined();
  });
});
