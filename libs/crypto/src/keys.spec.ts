import { generateKeyPairSync } from 'node:crypto';

import vectors from '../fixtures/vectors.json';
import { KeyFormatError } from './errors';
import { generateKeyPair, importPrivateKey, importPublicKey, publicKeyOf } from './keys';

describe('keys', () => {
  it('imports keys made by Python cryptography and derives the same public key', () => {
    const priv = importPrivateKey(vectors.keys.privateKey);
    expect(publicKeyOf(priv)).toBe(vectors.keys.publicKey);
    expect(importPublicKey(vectors.keys.publicKey).asymmetricKeyDetails?.namedCurve).toBe(
      'secp384r1',
    );
  });

  it('generates P-384 pairs as SPKI / PKCS#8 base64 that round-trip', async () => {
    const pair = await generateKeyPair();
    expect(pair.publicKey).toMatch(/^MHYwEAYHKoZIzj0CAQYFK4EEACID/);
    expect(publicKeyOf(importPrivateKey(pair.privateKey))).toBe(pair.publicKey);
  });

  it('accepts the PEM body with line breaks, as peers may send it', () => {
    const wrapped = vectors.keys.publicKey.replace(/(.{64})/g, '$1\n');
    expect(() => importPublicKey(wrapped)).not.toThrow();
  });

  it.each([
    ['not base64', '***'],
    ['base64 but not DER', Buffer.from('hello').toString('base64')],
  ])('refuses a public key that is %s', (_name, value) => {
    expect(() => importPublicKey(value)).toThrow(KeyFormatError);
    expect(() => importPrivateKey(value)).toThrow(KeyFormatError);
  });

  it('refuses keys on other curves', () => {
    const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const spki = p256.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    const pkcs8 = p256.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
    expect(() => importPublicKey(spki)).toThrow(/not a P-384 key/);
    expect(() => importPrivateKey(pkcs8)).toThrow(/not a P-384 key/);
  });
});
