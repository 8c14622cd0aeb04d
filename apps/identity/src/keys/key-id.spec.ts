import { dateKeyId, nextKeyId } from './key-id';

describe('key ids', () => {
  it('is the UTC date as yymmdd', () => {
    expect(dateKeyId(new Date('2025-01-01T00:00:00Z'))).toBe('250101');
    expect(dateKeyId(new Date('2026-11-26T23:59:59Z'))).toBe('261126');
    // 23:30 on Dec 31 in UTC-2 is already Jan 1 in UTC.
    expect(dateKeyId(new Date('2025-12-31T23:30:00-02:00'))).toBe('260101');
    expect(dateKeyId(new Date('2100-02-03T00:00:00Z'))).toBe('000203');
  });

  it('suffixes further keys of the same day so that the newest sorts greatest', () => {
    const day = new Date('2026-11-26T10:00:00Z');
    expect(nextKeyId(day, [])).toBe('261126');
    expect(nextKeyId(day, ['250101'])).toBe('261126');
    expect(nextKeyId(day, ['250101', '261126'])).toBe('261126b');
    expect(nextKeyId(day, ['261126', '261126b'])).toBe('261126c');
    const ids = ['250101', '261126', '261126b', '261126c'];
    expect([...ids].sort().at(-1)).toBe('261126c');
    expect(['261126z', '261127'].sort().at(-1)).toBe('261127');
  });

  it('refuses a 27th key on one day', () => {
    const day = new Date('2026-11-26T10:00:00Z');
    const ids = ['261126', ...'bcdefghijklmnopqrstuvwxyz'.split('').map((c) => `261126${c}`)];
    expect(() => nextKeyId(day, ids)).toThrow(/too many keys/);
  });
});
