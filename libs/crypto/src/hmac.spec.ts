import { hmacTag, hmacTagMatches } from './hmac';

describe('hmacTag', () => {
  it('matches only the same message under the same secret', () => {
    const tag = hmacTag('secret-a', 'hello');
    expect(hmacTagMatches('secret-a', 'hello', tag)).toBe(true);
    expect(hmacTagMatches('secret-b', 'hello', tag)).toBe(false);
    expect(hmacTagMatches('secret-a', 'hellO', tag)).toBe(false);
    expect(hmacTagMatches('secret-a', 'hello', tag.slice(1))).toBe(false);
    expect(hmacTagMatches('secret-a', 'hello', '')).toBe(false);
  });

  it('is the RFC 4231 HMAC-SHA256 (test case 2)', () => {
    const hex = Buffer.from(hmacTag('Jefe', 'what do ya want for nothing?'), 'base64url');
    expect(hex.toString('hex')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });
});
