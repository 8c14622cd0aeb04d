import { createHmac, timingSafeEqual } from 'node:crypto';

/** HMAC-SHA256 of `message` under `secret`, base64url: a value only holders of the secret make. */
export function hmacTag(secret: string, message: string): string {
  return createHmac('sha256', secret).update(message).digest('base64url');
}

/** Whether `tag` is `message`'s HMAC under `secret`, compared in constant time. */
export function hmacTagMatches(secret: string, message: string, tag: string): boolean {
  const expected = Buffer.from(hmacTag(secret, message));
  const given = Buffer.from(tag);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
