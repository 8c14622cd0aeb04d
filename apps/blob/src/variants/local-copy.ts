import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A private temporary directory holding one original for ffmpeg (`path`), and the tools' outputs
 * beside it; `dispose` removes all of it.
 */
export class LocalCopy {
  private constructor(
    readonly dir: string,
    readonly path: string,
  ) {}

  static async create(tmpDir: string): Promise<LocalCopy> {
    const dir = await mkdtemp(join(tmpDir, 'cloudillo-media-'));
    return new LocalCopy(dir, join(dir, 'orig'));
  }

  /** A stream that writes the original. */
  writer(): WriteStream {
    return createWriteStream(this.path);
  }

  async dispose(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
