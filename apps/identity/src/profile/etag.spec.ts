import { profileEtag } from './etag';

describe('profile ETag', () => {
  it('is a quoted 11-character base64url fingerprint that changes with the profile', () => {
    const a = profileEtag('{"idTag":"a"}');
    expect(a).toMatch(/^"[A-Za-z0-9_-]{11}"$/);
    expect(profileEtag('{"idTag":"b"}')).not.toBe(a);
  });
});
