import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { collabFileChanged, ContractClient } from '@cloudillo/contracts';

/** At most one announcement per file in this window; the last write is always announced. */
export const CHANGE_WINDOW_MS = 5_000;

interface Pending {
  tnId: number;
  fileId: string;
  timer: NodeJS.Timeout;
  /** The latest write since the last announcement, if any. */
  at: number | undefined;
}

/**
 * Tells blob that a document or database was written (`collab.file.changed.v1`), so the file's
 * `modifiedAt` follows its content. Throttled per file: typing sends one event per window, not
 * one per keystroke.
 */
@Injectable()
export class FileChanges implements OnApplicationShutdown {
  private readonly logger = new Logger('file-changes');
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly rpc: ContractClient) {}

  touched(tnId: number, fileId: string, at = Date.now()): void {
    const key = `${tnId}:${fileId}`;
    const pending = this.pending.get(key);
    if (pending) {
      pending.at = at;
      return;
    }
    this.announce(tnId, fileId, at);
    const entry: Pending = {
      tnId,
      fileId,
      at: undefined,
      timer: setTimeout(() => {
        this.pending.delete(key);
        if (entry.at !== undefined) this.touched(tnId, fileId, entry.at);
      }, CHANGE_WINDOW_MS),
    };
    entry.timer.unref();
    this.pending.set(key, entry);
  }

  private announce(tnId: number, fileId: string, at: number): void {
    this.rpc.publish(collabFileChanged, { tnId, fileId, at }).catch((error: unknown) => {
      this.logger.warn(`change of ${fileId} not announced: ${String(error)}`);
    });
  }

  /** Writes still inside a window are announced before the process goes. */
  onApplicationShutdown(): void {
    for (const { tnId, fileId, timer, at } of this.pending.values()) {
      clearTimeout(timer);
      if (at !== undefined) this.announce(tnId, fileId, at);
    }
    this.pending.clear();
  }
}
