import { decodeBase64urlStrict, encodeBase64url } from './base64url';

describe('base64url', () => {
  it('round-trips bytes, including a view into a larger buffer', () => {
    const big = Buffer.from([0, 1, 2, 250, 251, 252]);
    const view = new Uint8Array(big.buffer, big.byteOffset + 2, 3);
    expect(encodeBase64url(view)).toBe('Avr7');
    expect(decodeBase64urlStrict('Avr7')).toEqual(Buffer.from([2, 250, 251]));
  });

  it.each(['Avr7=', 'Av+7', 'A', 'AB=='])('refuses the non-canonical spelling %s', (text) => {
    expect(decodeBase64urlStrict(text)).toBeUndefined();
  });

  it('refuses non-zero trailing bits', () => {
    expect(decodeBase64urlStrict('AB')).toBeUndefined();
    expect(decodeBase64urlStrict('AA')).toEqual(Buffer.from([0]));
  });
});
