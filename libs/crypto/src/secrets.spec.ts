import { randomToken, secretDigest } from './secrets';

describe('secrets', () => {
  it('makes distinct base64url tokens of the asked size', () => {
    const a = randomToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(randomToken()).not.toBe(a);
    expect(randomToken(32)).toHaveLength(43);
  });

  it('digests secrets with SHA-256 (known vector)', () => {
    expect(secretDigest('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});
