import {
  actionTokenClaimsSchema,
  receivedActionTokenClaimsSchema,
  splitActionType,
} from './action-token';

const base = { iss: 'alice.example.com', k: '250101', t: 'POST', iat: 1735689600 };

describe('action token claims (protocol §2.1)', () => {
  it('accepts the required claims and every optional one', () => {
    expect(actionTokenClaimsSchema.parse(base)).toEqual(base);
    const full = {
      ...base,
      t: 'REACT:LIKE',
      c: { any: 'thing' },
      p: 'a1~parent',
      a: ['f1~file'],
      aud: 'bob.example.com',
      sub: '@bob.example.com',
      exp: 1735693200,
      f: 'rcO',
      v: 'F',
      _: 'nonce',
    };
    expect(actionTokenClaimsSchema.parse(full)).toEqual(full);
  });

  it('canonicalises iss and aud to A-labels', () => {
    expect(actionTokenClaimsSchema.parse({ ...base, iss: 'bücher.example' }).iss).toBe(
      'xn--bcher-kva.example',
    );
  });

  it.each([
    ['a missing iss', { ...base, iss: undefined }],
    ['an invalid iss', { ...base, iss: 'Alice' }],
    ['a lower-case type', { ...base, t: 'post' }],
    ['a null optional claim', { ...base, aud: null }],
    ['an unknown claim', { ...base, zz: 1 }],
    ['a fractional iat', { ...base, iat: 1.5 }],
    ['a bad visibility', { ...base, v: 'Q' }],
    ['bad flags', { ...base, f: 'x' }],
  ])('refuses %s', (_name, claims) => {
    expect(actionTokenClaimsSchema.safeParse(claims).success).toBe(false);
  });

  it('takes a peer’s token with claims it does not know, leaving them out of the claims', () => {
    expect(receivedActionTokenClaimsSchema.parse({ ...base, zz: 1, future: { a: 1 } })).toEqual(
      base,
    );
    expect(receivedActionTokenClaimsSchema.safeParse({ ...base, aud: null }).success).toBe(false);
    expect(receivedActionTokenClaimsSchema.safeParse({ ...base, t: 'post' }).success).toBe(false);
  });

  it('splits type and subtype', () => {
    expect(splitActionType('POST')).toEqual({ type: 'POST' });
    expect(splitActionType('CONN:DEL')).toEqual({ type: 'CONN', subType: 'DEL' });
  });
});
