import { accessTokenClaimsSchema, parseRoles } from './access-token';

describe('access-token claims', () => {
  it('accept the reference claims plus iat, jti and sid', () => {
    const claims = {
      iss: 'a.example.com',
      sub: 'b.example.com',
      r: 'leader',
      exp: 2,
      iat: 1,
      jti: 'j',
    };
    expect(accessTokenClaimsSchema.parse({ ...claims, sid: 's' })).toEqual({ ...claims, sid: 's' });
    expect(accessTokenClaimsSchema.safeParse({ iss: 'a', exp: 2, iat: 1 }).success).toBe(false);
  });

  it('split the role list', () => {
    expect(parseRoles('public,follower')).toEqual(['public', 'follower']);
    expect(parseRoles('')).toEqual([]);
    expect(parseRoles(undefined)).toEqual([]);
    expect(parseRoles('a,,b')).toEqual(['a', 'b']);
  });
});
