import { p384 } from '@noble/curves/nist.js';

import vectors from '../fixtures/vectors.json';
import { JwtError } from './errors';
import { decodeUnverifiedClaims, signJwt, verifyJwt } from './jwt';
import { generateKeyPair, importPrivateKey, importPublicKey } from './keys';

const publicKey = importPublicKey(vectors.keys.publicKey);
const otherKey = importPublicKey(vectors.keys.otherPublicKey);
const NOW = vectors.claims.iat + 10;
const t = vectors.tokens;

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof JwtError) return error.code;
    throw error;
  }
  throw new Error('expected a JwtError');
}

describe('verifyJwt against tokens made by Python cryptography', () => {
  it('accepts a valid ES384 token and returns its claims and header', async () => {
    const { claims, header } = await verifyJwt(t.valid, publicKey, { now: NOW });
    expect(claims).toEqual(vectors.claims);
    expect(header).toEqual({ typ: 'JWT', alg: 'ES384' });
  });

  it('accepts a high-S signature by default (reference interop) and refuses it when strict', async () => {
    await expect(verifyJwt(t.validHighS, publicKey, { now: NOW })).resolves.toBeDefined();
    expect(await codeOf(verifyJwt(t.validHighS, publicKey, { now: NOW, requireLowS: true }))).toBe(
      'jwt.signature',
    );
  });

  it.each([
    ['alg: none', t.algNone, 'jwt.algorithm'],
    ['HS256 keyed with the public key PEM', t.hs256WithPublicKeyPem, 'jwt.algorithm'],
    ['HS256 keyed with the public key DER', t.hs256WithPublicKeyDer, 'jwt.algorithm'],
    ['a tampered payload', t.tamperedPayload, 'jwt.signature'],
    ['a truncated signature', t.truncatedSignature, 'jwt.signature'],
    ['a DER-encoded signature', t.derSignature, 'jwt.signature'],
    ['a padded signature', t.paddedSignature, 'jwt.signature'],
    ['r = 0', t.rZero, 'jwt.signature'],
    ['s >= n', t.sOverOrder, 'jwt.signature'],
    ['an expired token', t.expired, 'jwt.expired'],
  ])('refuses %s', async (_name, token, code) => {
    expect(await codeOf(verifyJwt(token, publicKey))).toBe(code);
  });

  it('refuses a valid token checked against the wrong key', async () => {
    expect(await codeOf(verifyJwt(t.valid, otherKey, { now: NOW }))).toBe('jwt.signature');
  });

  it.each([
    ['two parts', 'a.b', 'jwt.malformed'],
    ['four parts', 'a.b.c.d', 'jwt.malformed'],
    ['a header that is not base64url', '!!.e30.AA', 'jwt.malformed'],
    ['an empty header', '.e30.AA', 'jwt.malformed'],
    [
      'a header that is not JSON',
      `${Buffer.from('nope').toString('base64url')}.e30.AA`,
      'jwt.malformed',
    ],
    [
      'a header that is an array',
      `${Buffer.from('[]').toString('base64url')}.e30.AA`,
      'jwt.malformed',
    ],
  ])('refuses %s as malformed', async (_name, token, code) => {
    expect(await codeOf(verifyJwt(token, publicKey))).toBe(code);
  });
});

describe('signJwt', () => {
  const keys = generateKeyPair();

  it('signs tokens our verifier and the strict low-S rule accept, with the reference header', async () => {
    const { privateKey, publicKey: pub } = await keys;
    for (let i = 0; i < 20; i++) {
      const token = await signJwt({ iss: 'alice.example.com', n: i }, importPrivateKey(privateKey));
      expect(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString())).toEqual({
        typ: 'JWT',
        alg: 'ES384',
      });
      const sig = p384.Signature.fromBytes(
        Buffer.from(token.split('.')[2]!, 'base64url'),
        'compact',
      );
      expect(sig.hasHighS()).toBe(false);
      const { claims } = await verifyJwt(token, importPublicKey(pub), { requireLowS: true });
      expect(claims).toEqual({ iss: 'alice.example.com', n: i });
    }
  });

  it('checks exp, nbf and their types against an injected clock with skew', async () => {
    const { privateKey, publicKey: pub } = await keys;
    const key = importPrivateKey(privateKey);
    const verify = (claims: Record<string, unknown>, now: number, extra = {}) =>
      signJwt(claims, key).then((tok) => verifyJwt(tok, importPublicKey(pub), { now, ...extra }));
    await expect(verify({ exp: 1000 }, 1060)).resolves.toBeDefined();
    expect(await codeOf(verify({ exp: 1000 }, 1061))).toBe('jwt.expired');
    expect(await codeOf(verify({ exp: 1000 }, 1001, { clockSkewSeconds: 0 }))).toBe('jwt.expired');
    expect(await codeOf(verify({ exp: '1000' }, 1))).toBe('jwt.claims');
    expect(await codeOf(verify({}, 1, { requireExp: true }))).toBe('jwt.claims');
    expect(await codeOf(verify({ nbf: 2000 }, 1000))).toBe('jwt.not-yet-valid');
    await expect(verify({ nbf: 2000 }, 1940)).resolves.toBeDefined();
    expect(await codeOf(verify({ nbf: 'soon' }, 1))).toBe('jwt.claims');
  });

  it('refuses payloads that are not JSON objects even when signed', async () => {
    const { privateKey } = await keys;
    const token = await signJwt({ a: 1 }, importPrivateKey(privateKey));
    const [h] = token.split('.');
    const forged = `${h}.${Buffer.from('[1]').toString('base64url')}.${token.split('.')[2]}`;
    expect(await codeOf(verifyJwt(forged, otherKey))).toBe('jwt.signature');
    expect(() => decodeUnverifiedClaims(forged)).toThrow(JwtError);
  });

  it('refuses crit headers', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'ES384', crit: ['x'] })).toString('base64url');
    expect(await codeOf(verifyJwt(`${header}.e30.AA`, publicKey))).toBe('jwt.malformed');
  });
});

describe('decodeUnverifiedClaims', () => {
  it('reads claims without verifying, and refuses malformed tokens', () => {
    expect(decodeUnverifiedClaims(t.tamperedPayload)['c']).toBe('hello!');
    expect(() => decodeUnverifiedClaims('abc')).toThrow(JwtError);
  });
});
