import { Transform, type TransformCallback } from 'node:stream';

/**
 * Passes bytes through until `limit`, then calls `onOverflow` once and destroys itself (without
 * an error), which ends the request it feeds upstream.
 */
export class BodyLimiter extends Transform {
  private seen = 0;

  constructor(
    private readonly limit: number,
    private readonly onOverflow: () => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.limit) {
      this.onOverflow();
      callback();
      this.destroy();
      return;
    }
    callback(null, chunk);
  }

  /** Whether the body went over the limit (its request already answered 413). */
  get overflowed(): boolean {
    return this.seen > this.limit;
  }
}
