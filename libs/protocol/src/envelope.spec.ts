import { apiErrorBodySchema, errorBody, isValidRequestId, okEnvelope } from './envelope';

describe('envelope', () => {
  const now = new Date('2026-01-02T03:04:05.678Z');

  it('wraps data with an ISO time and omits absent metadata (never null)', () => {
    expect(okEnvelope({ a: 1 }, { now })).toStrictEqual({
      data: { a: 1 },
      time: '2026-01-02T03:04:05.678Z',
    });
    expect(
      okEnvelope([], { now, reqId: 'r-1', cursorPagination: { nextCursor: null, hasMore: false } }),
    ).toStrictEqual({
      data: [],
      time: '2026-01-02T03:04:05.678Z',
      reqId: 'r-1',
      cursorPagination: { nextCursor: null, hasMore: false },
    });
    expect(typeof okEnvelope(1).time).toBe('string');
  });

  it('builds error bodies that the error schema accepts', () => {
    expect(errorBody('E-CORE-NOTFOUND', 'nope')).toStrictEqual({
      error: { code: 'E-CORE-NOTFOUND', message: 'nope' },
    });
    const withDetails = errorBody('E-VAL-INVALID', 'bad', [{ path: 'a' }]);
    expect(apiErrorBodySchema.parse(withDetails)).toEqual(withDetails);
    expect(apiErrorBodySchema.safeParse({ error: { code: 'X', message: 'm' } }).success).toBe(
      false,
    );
  });

  it.each([
    ['abc-123_X.y', true],
    ['a'.repeat(64), true],
    ['a'.repeat(65), false],
    ['', false],
    ['has space', false],
    ['semi;colon', false],
    [42, false],
  ])('isValidRequestId(%p) = %p', (value, ok) => {
    expect(isValidRequestId(value)).toBe(ok);
  });
});
