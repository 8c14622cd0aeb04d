import { keyIdFor } from './key-id';

describe('keyIdFor', () => {
  it('is the UTC date as yymmdd', () => {
    expect(keyIdFor(new Date('2025-01-01T00:00:00Z'))).toBe('250101');
    expect(keyIdFor(new Date('2026-11-26T23:59:59Z'))).toBe('261126');
    // 23:30 on Dec 31 in UTC-2 is already Jan 1 in UTC.
    expect(keyIdFor(new Date('2025-12-31T23:30:00-02:00'))).toBe('260101');
    expect(keyIdFor(new Date('2100-02-03T00:00:00Z'))).toBe('000203');
  });
});
