import { Readable } from 'node:stream';

import vectors from '../fixtures/vectors.json';
import {
  ContentHasher,
  contentId,
  contentIdOfStream,
  isContentId,
  parseContentId,
} from './content-id';

const v = vectors.contentIds;
const blob = Buffer.from(v.buffer.base64, 'base64');

describe('content ids (values computed by Python hashlib)', () => {
  it('hashes strings as UTF-8, buffers as bytes, the exact token string for a1~', () => {
    expect(contentId('a', v.string.input)).toBe(v.string.a);
    expect(contentId('b', v.empty.input)).toBe(v.empty.b);
    expect(contentId('a', v.token.input)).toBe(v.token.a);
    expect(contentId('b', blob)).toBe(v.buffer.b);
  });

  it('gives the same id for a stream in uneven chunks, strings included', async () => {
    const chunks = [blob.subarray(0, 1), blob.subarray(1, 1000), blob.subarray(1000)];
    await expect(contentIdOfStream('b', Readable.from(chunks))).resolves.toEqual({
      id: v.buffer.b,
      size: blob.length,
    });
    const text = v.string.input;
    await expect(
      contentIdOfStream('a', Readable.from([text.slice(0, 3), text.slice(3)])),
    ).resolves.toEqual({
      id: v.string.a,
      size: Buffer.byteLength(text),
    });
  });

  it('hashes incrementally with ContentHasher', () => {
    const hasher = new ContentHasher('b');
    hasher.update(blob.subarray(0, 10));
    hasher.update(blob.subarray(10));
    expect(hasher.size).toBe(blob.length);
    expect(hasher.digest()).toBe(v.buffer.b);
  });

  it('parses canonical ids and refuses everything else', () => {
    expect(parseContentId(v.buffer.b)?.prefix).toBe('b');
    expect(parseContentId(v.buffer.b)?.digest).toHaveLength(32);
    expect(isContentId(v.buffer.b, 'b')).toBe(true);
    expect(isContentId(v.buffer.b, 'f')).toBe(false);
    expect(isContentId(v.buffer.b.replace('b1~', 'b2~'))).toBe(false);
    expect(isContentId(v.buffer.b.replace('b1~', 'x1~'))).toBe(false);
    expect(isContentId(`${v.buffer.b}A`)).toBe(false);
    expect(isContentId(v.buffer.b.slice(0, -1))).toBe(false);
    // The last of 43 characters carries 2 spare bits: a non-zero spare bit is a second spelling.
    const last = v.buffer.b.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sibling = alphabet[alphabet.indexOf(last) ^ 1]!;
    expect(isContentId(v.buffer.b.slice(0, -1) + sibling)).toBe(false);
  });
});
