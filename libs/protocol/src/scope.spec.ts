import { parseFileScope, scopeAllowsPath } from './scope';

describe('scopeAllowsPath (protocol §4.2, fail closed)', () => {
  it.each([
    ['file:f1~abc:R', 'GET', '/api/files/f1~abc', true],
    ['file:f1~abc:W', 'GET', '/api/files', true],
    ['file:f1~abc:C', 'GET', '/api/search', true],
    ['file:f1~abc:W', 'GET', '/ws/crdt/f1~abc', true],
    ['file:f1~abc:W', 'GET', '/ws/rtdb/f1~abc', true],
    ['file:f1~abc:R', 'GET', '/api/auth/access-token', true],
    ['file:f1~abc:R', 'GET', '/api/me/full', false],
    ['file:f1~abc:R', 'PATCH', '/api/me', false],
    ['file:f1~abc:R', 'GET', '/api/filesystem', false],
    ['file:f1~abc:R', 'GET', '/api/auth/login-token', false],
    ['file:f1~abc:X', 'GET', '/api/files/f1~abc', false],
    ['apkg:publish', 'POST', '/api/files/apkg/x', true],
    ['apkg:publish', 'POST', '/api/actions', true],
    ['apkg:publish', 'GET', '/api/actions', false],
    ['apkg:publish', 'GET', '/api/apps/installed', true],
    ['apkg:publish', 'GET', '/api/files/f1~abc', false],
    ['carddav:read', 'GET', '/api/address-books/1/contacts', true],
    ['carddav:read,caldav:write', 'GET', '/api/calendars/2', true],
    ['caldav:read', 'GET', '/api/contacts', true],
    ['caldav:read', 'PROPFIND', '/dav/principal', true],
    ['caldav:read', 'GET', '/api/me', false],
    ['admin', 'GET', '/api/me', false],
    ['', 'GET', '/api/files', false],
  ])('%s %s %s → %s', (scope, method, path, allowed) => {
    expect(scopeAllowsPath(scope, method, path)).toBe(allowed);
  });
});

describe('parseFileScope', () => {
  it('takes a file scope apart and nothing else', () => {
    expect(parseFileScope('file:f1~abc:C')).toEqual({ fileId: 'f1~abc', level: 'C' });
    for (const other of [undefined, 'file:x:A', 'file::R', 'file:a:b:R', 'apkg:publish'])
      expect([other, parseFileScope(other)]).toEqual([other, undefined]);
  });
});
