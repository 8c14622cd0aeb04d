import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

import { decodeBase64urlStrict } from './base64url';

const VERSION = 'v1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A sealed value that cannot be opened: wrong key, tampering, or a different context. */
export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
}

/**
 * AES-256-GCM envelope for secrets at rest: `v1.<iv>.<ciphertext‖tag>` (base64url). `context` is
 * authenticated but not stored, binding a sealed value to where it belongs (e.g. tenant and key
 * id), so a ciphertext copied to another row does not open.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(key: Uint8Array) {
    if (key.byteLength !== KEY_BYTES)
      throw new SecretBoxError(`the key must be ${KEY_BYTES} bytes`);
    this.key = Buffer.from(key);
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([
      cipher.update(plaintext, 'utf8'),
      cipher.final(),
      cipher.getAuthTag(),
    ]);
    return `${VERSION}.${iv.toString('base64url')}.${body.toString('base64url')}`;
  }

  open(sealed: string, context: string): string {
    const [version, ivText = '', bodyText = ''] = sealed.split('.');
    const iv = decodeBase64urlStrict(ivText);
    const body = decodeBase64urlStrict(bodyText);
    if (version !== VERSION || iv?.length !== IV_BYTES || !body || body.length < TAG_BYTES) {
      throw new SecretBoxError('not a sealed value');
    }
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    try {
      return Buffer.concat([
        decipher.update(body.subarray(0, body.length - TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch (cause) {
      throw new SecretBoxError('the value does not open with this key and context', { cause });
    }
  }
}
