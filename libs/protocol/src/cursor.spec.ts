import { decodeCursor, encodeCursor } from './cursor';

describe('cursor', () => {
  it('round-trips as unpadded base64url JSON', () => {
    const cursor = { s: 'createdAt', v: 1735689600, id: 'a1~x' };
    const text = encodeCursor(cursor);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(JSON.parse(Buffer.from(text, 'base64url').toString())).toEqual(cursor);
    expect(decodeCursor(text)).toEqual(cursor);
    expect(decodeCursor(encodeCursor({ s: 'name', v: null, id: 7 }))).toEqual({
      s: 'name',
      v: null,
      id: 7,
    });
  });

  const b64 = (value: string) => Buffer.from(value).toString('base64url');
  it.each([
    ['empty', ''],
    ['not base64url', 'a+b/c'],
    ['too long', 'A'.repeat(1025)],
    ['not JSON', b64('{nope')],
    ['missing id', b64(JSON.stringify({ s: 'a', v: 1 }))],
    ['extra keys', b64(JSON.stringify({ s: 'a', v: 1, id: 1, x: 1 }))],
    ['object value', b64(JSON.stringify({ s: 'a', v: {}, id: 1 }))],
  ])('refuses a cursor that is %s', (_name, text) => {
    expect(decodeCursor(text)).toBeUndefined();
  });
});
