import { Transform, type TransformCallback } from 'node:stream';

/** Passes bytes through until `limit`, then calls `onOverflow` once and stops the stream. */
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
      this.unpipe();
      return;
    }
    callback(null, chunk);
  }
}
