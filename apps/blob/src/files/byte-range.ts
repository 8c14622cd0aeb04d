import { AppError } from '@cloudillo/protocol';
import { type ByteRange } from '@cloudillo/storage';

/** 416 with the size, as `Content-Range: bytes *\/size` wants it. */
export class UnsatisfiableRange extends AppError {
  constructor(
    readonly size: number,
    message: string,
  ) {
    super('E-VAL-INVALID', message, { status: 416 });
  }
}

const SPEC = /^bytes=(\d*)-(\d*)$/;

/**
 * One `Range: bytes=…` of an object of `size` bytes (RFC 9110 §14.1.2): `a-b`, `a-` or `-n`.
 * No header: the whole. Several ranges, a malformed spec or one past the end: 416.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined {
  if (header === undefined) return undefined;
  const match = SPEC.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === ''))
    throw new UnsatisfiableRange(
      size,
      'one byte range, as bytes=start-end, bytes=start- or bytes=-n',
    );
  const [, first = '', last = ''] = match;
  if (first === '') {
    const n = Number(last);
    if (n === 0 || size === 0) throw new UnsatisfiableRange(size, 'an empty suffix range');
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || end < start)
    throw new UnsatisfiableRange(size, `range ${header} lies outside 0-${size - 1}`);
  return { start, end };
}
