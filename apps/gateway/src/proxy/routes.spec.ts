import { findRoute, hasDotSegment, ROUTES, SERVICES } from './routes';

describe('gateway routes', () => {
  it.each([
    ['/api/me', 'identity'],
    ['/api/me/full', 'identity'],
    ['/api/me/image', 'blob'],
    ['/api/me/cover', 'blob'],
    ['/api/admin/tenants/x', 'identity'],
    ['/api/auth/login', 'access-token'],
    ['/api/inbox/sync', 'action-federation'],
    ['/api/files/default/a.png', 'blob'],
    ['/ws/crdt/abc', 'collaboration'],
    ['/.well-known/cloudillo/id-tag', 'identity'],
  ])('routes %s to %s', (path, service) => {
    expect(findRoute(path)?.service).toBe(service);
  });

  it('matches whole segments only', () => {
    expect(findRoute('/api/meta')).toBeUndefined();
    expect(findRoute('/api')).toBeUndefined();
    expect(findRoute('/')).toBeUndefined();
  });

  it('routes every prefix to a known service, once', () => {
    expect(new Set(ROUTES.map((r) => r.prefix)).size).toBe(ROUTES.length);
    for (const r of ROUTES) expect(SERVICES).toContain(r.service);
  });

  it('spots dot segments, encoded too', () => {
    expect(hasDotSegment('/api/me/../auth/login')).toBe(true);
    expect(hasDotSegment('/api/me/%2E%2e/auth')).toBe(true);
    expect(hasDotSegment('/api/me/./x')).toBe(true);
    expect(hasDotSegment('/api/files/a..b')).toBe(false);
  });
});
