import { createHash } from 'node:crypto';

import { shortHash } from './short-hash';

describe('shortHash', () => {
  it('is base64url of the first bytes of SHA-256', () => {
    // sha256("abc") = ba7816bf8f01cfea…: its first 8 bytes, base64url.
    expect(shortHash('abc')).toBe(Buffer.from('ba7816bf8f01cfea', 'hex').toString('base64url'));
    expect(shortHash('abc', 4)).toBe('ungWvw'); // base64url of 0xba7816bf
    expect(shortHash(Buffer.from('abc'), 32)).toBe(
      createHash('sha256').update('abc').digest('base64url'),
    );
  });
});
