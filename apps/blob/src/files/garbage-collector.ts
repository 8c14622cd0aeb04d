import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { type BlobStore, type StoredObject } from '@cloudillo/storage';

import { type BlobConfig } from '../config';
import { BLOB_CONFIG, BLOB_STORE, CLOCK, type Clock } from '../tokens';
import { FilesRepository } from './files.repository';

const PAGE = 500;

/**
 * Removes objects no blob row names once they are older than the grace period: uploads whose
 * client went away or whose process died mid-way, redundant copies and released blobs whose
 * removal failed. A row commits only after its object is whole, so an object younger than the
 * grace period may still be an upload in flight and is left alone. Idempotent: replicas may all
 * run it.
 */
@Injectable()
export class GarbageCollector implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(GarbageCollector.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly files: FilesRepository,
    @Inject(BLOB_STORE) private readonly store: BlobStore,
    @Inject(BLOB_CONFIG) private readonly config: BlobConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => {
      this.collect().catch((error: unknown) => this.logger.warn(`gc: ${String(error)}`));
    }, this.config.gc.intervalMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** One pass; returns the keys removed. */
  async collect(): Promise<string[]> {
    const cutoff = this.clock().getTime() - this.config.gc.graceMs;
    const removed: string[] = [];
    let page: StoredObject[] = [];
    const sweep = async () => {
      const old = page.filter((o) => o.lastModified.getTime() < cutoff).map((o) => o.key);
      const known = await this.files.knownObjects(old);
      const garbage = old.filter((key) => !known.has(key));
      await this.store.remove(garbage);
      removed.push(...garbage);
      page = [];
    };
    for await (const object of this.store.list('o/')) {
      page.push(object);
      if (page.length >= PAGE) await sweep();
    }
    await sweep();
    if (removed.length) this.logger.log(`gc removed ${removed.length} objects`);
    return removed;
  }
}
