import { createHmac } from 'node:crypto';

import {
  ACCESS_TOKEN_TYP,
  accessTokenKid,
  generateAccessTokenKeyPair,
  importAccessTokenPrivateKey,
  importAccessTokenPublicKey,
  signAccessToken,
  verifyAccessToken,
} from './access-token';
import { JwtError } from './errors';
import { signJwt } from './jwt';
import { generateKeyPair, importPrivateKey } from './keys';

const NOW = 1_700_000_000; // in the past: the system clock sees these tokens as expired

async function codeOf(promise: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    if (error instanceof JwtError) return error.code;
    throw error;
  }
  throw new Error('expected a JwtError');
}

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('access tokens (EdDSA, at+jwt)', () => {
  let pair: Awaited<ReturnType<typeof generateAccessTokenKeyPair>>;
  let lookup: (kid: string) => ReturnType<typeof importAccessTokenPublicKey> | undefined;

  beforeAll(async () => {
    pair = await generateAccessTokenKeyPair();
    const publicKey = importAccessTokenPublicKey(pair.publicKey);
    lookup = (kid) => (kid === 'k1' ? publicKey : undefined);
  });

  const sign = (claims: Record<string, unknown>, kid = 'k1') =>
    signAccessToken(claims, importAccessTokenPrivateKey(pair.privateKey), kid);

  it('round-trips claims and names the key and type in the header', async () => {
    const token = await sign({ iss: 'alice.example.com', exp: NOW + 60 });
    const { header, claims } = await verifyAccessToken(token, lookup, { now: NOW });
    expect(header).toEqual({ alg: 'EdDSA', typ: ACCESS_TOKEN_TYP, kid: 'k1' });
    expect(claims).toEqual({ iss: 'alice.example.com', exp: NOW + 60 });
    expect(accessTokenKid(token)).toBe('k1');
  });

  it('checks exp against the injected clock, with the given skew', async () => {
    const token = await sign({ exp: NOW - 30 });
    expect(await codeOf(verifyAccessToken(token, lookup, { now: NOW }))).toBe('jwt.expired');
    await expect(
      verifyAccessToken(token, lookup, { now: NOW, clockSkewSeconds: 60 }),
    ).resolves.toBeDefined();
    expect(await codeOf(verifyAccessToken(token, lookup))).toBe('jwt.expired');
  });

  it('requires exp', async () => {
    expect(await codeOf(verifyAccessToken(await sign({ iss: 'x' }), lookup))).toBe('jwt.claims');
  });

  it('refuses an unknown kid and a token signed by another key', async () => {
    expect(await codeOf(verifyAccessToken(await sign({ exp: NOW }, 'k2'), lookup))).toBe('jwt.key');
    const other = await generateAccessTokenKeyPair();
    const forged = await signAccessToken(
      { exp: NOW + 60 },
      importAccessTokenPrivateKey(other.privateKey),
      'k1',
    );
    expect(await codeOf(verifyAccessToken(forged, lookup, { now: NOW }))).toBe('jwt.signature');
  });

  it('refuses an action token (ES384, typ JWT) before looking up any key', async () => {
    const p384 = await generateKeyPair();
    const actionToken = await signJwt({ exp: NOW + 60 }, importPrivateKey(p384.privateKey));
    expect(await codeOf(verifyAccessToken(actionToken, () => undefined))).toBe('jwt.algorithm');
  });

  it('refuses alg none and an HS256 token keyed with the public key', async () => {
    const none = `${b64url({ alg: 'none', typ: ACCESS_TOKEN_TYP, kid: 'k1' })}.${b64url({ exp: NOW + 60 })}.`;
    expect(await codeOf(verifyAccessToken(none, lookup))).toBe('jwt.algorithm');
    const input = `${b64url({ alg: 'HS256', typ: ACCESS_TOKEN_TYP, kid: 'k1' })}.${b64url({ exp: NOW + 60 })}`;
    const mac = createHmac('sha256', Buffer.from(pair.publicKey, 'base64'))
      .update(input)
      .digest('base64url');
    expect(await codeOf(verifyAccessToken(`${input}.${mac}`, lookup))).toBe('jwt.algorithm');
  });

  it('refuses malformed tokens, a missing kid, a tampered payload and a non-JSON payload', async () => {
    expect(await codeOf(() => accessTokenKid('not-a-token'))).toBe('jwt.malformed');
    const header = b64url({ alg: 'EdDSA', typ: ACCESS_TOKEN_TYP });
    expect(await codeOf(() => accessTokenKid(`${header}.${b64url({})}.AA`))).toBe('jwt.malformed');
    const token = await sign({ exp: NOW + 60, sub: 'a' });
    const [h, , s] = token.split('.');
    const tampered = `${h}.${b64url({ exp: NOW + 60, sub: 'b' })}.${s}`;
    expect(await codeOf(verifyAccessToken(tampered, lookup, { now: NOW }))).toBe('jwt.signature');
    const garbled = `${h}.${Buffer.from('not json').toString('base64url')}.${s}`;
    expect(await codeOf(verifyAccessToken(garbled, lookup, { now: NOW }))).toBe('jwt.signature');
    expect(await codeOf(verifyAccessToken(`${h}.e30`, lookup))).toBe('jwt.malformed');
  });

  it('imports only Ed25519 keys', async () => {
    const p384 = await generateKeyPair();
    expect(await codeOf(() => importAccessTokenPublicKey(p384.publicKey))).toBe('jwt.key');
    expect(await codeOf(() => importAccessTokenPrivateKey(p384.privateKey))).toBe('jwt.key');
    expect(await codeOf(() => importAccessTokenPublicKey('AAAA'))).toBe('jwt.key');
    expect(await codeOf(() => importAccessTokenPrivateKey('AAAA'))).toBe('jwt.key');
  });
});
