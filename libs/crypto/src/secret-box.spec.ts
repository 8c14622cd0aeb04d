import { createCipheriv, randomBytes } from 'node:crypto';

import { SecretBox, SecretBoxError } from './secret-box';

describe('SecretBox (AES-256-GCM)', () => {
  const key = randomBytes(32);
  const box = new SecretBox(key);

  it('round-trips and never repeats a ciphertext', () => {
    const a = box.seal('pkcs8-secret', 'tn:1:key:260101');
    expect(a).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(a).not.toContain('pkcs8');
    expect(box.seal('pkcs8-secret', 'tn:1:key:260101')).not.toBe(a);
    expect(box.open(a, 'tn:1:key:260101')).toBe('pkcs8-secret');
  });

  it('opens what a plain node:crypto AES-256-GCM produced with the same layout', () => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from('ctx'));
    const body = Buffer.concat([cipher.update('hello'), cipher.final(), cipher.getAuthTag()]);
    expect(box.open(`v1.${iv.toString('base64url')}.${body.toString('base64url')}`, 'ctx')).toBe(
      'hello',
    );
  });

  it('refuses a wrong key, a wrong context, tampering and garbage', () => {
    const sealed = box.seal('secret', 'ctx');
    expect(() => new SecretBox(randomBytes(32)).open(sealed, 'ctx')).toThrow(SecretBoxError);
    expect(() => box.open(sealed, 'other-ctx')).toThrow(SecretBoxError);
    const [v, iv, body] = sealed.split('.') as [string, string, string];
    const flipped = Buffer.from(body, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    expect(() => box.open(`${v}.${iv}.${flipped.toString('base64url')}`, 'ctx')).toThrow(
      SecretBoxError,
    );
    for (const bad of ['', 'v2.a.b', `v1.${iv}`, `v1.AAAA.${body}`, `v1.${iv}.AAAA`]) {
      expect(() => box.open(bad, 'ctx')).toThrow('not a sealed value');
    }
  });

  it('insists on a 32-byte key', () => {
    expect(() => new SecretBox(randomBytes(16))).toThrow(SecretBoxError);
  });
});
