import { etagMatches, profileEtag } from './etag';

describe('profile ETag', () => {
  it('is a quoted 11-character base64url fingerprint that changes with the profile', () => {
    const a = profileEtag('{"idTag":"a"}');
    expect(a).toMatch(/^"[A-Za-z0-9_-]{11}"$/);
    expect(profileEtag('{"idTag":"b"}')).not.toBe(a);
  });

  it('matches If-None-Match lists, weak tags and *', () => {
    const tag = profileEtag('x');
    expect(etagMatches(tag, tag)).toBe(true);
    expect(etagMatches(`"other", W/${tag}`, tag)).toBe(true);
    expect(etagMatches('*', tag)).toBe(true);
    expect(etagMatches('"other"', tag)).toBe(false);
    expect(etagMatches(undefined, tag)).toBe(false);
  });
});
