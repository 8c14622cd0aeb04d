import { Injectable } from '@nestjs/common';

import { type StoredAction } from '../actions/action-rows';
import { ActionsRepository } from '../actions/actions.repository';

interface Waiting {
  rows: StoredAction[];
  resolve: (stored: Set<string>) => void;
  reject: (error: unknown) => void;
}

const MAX_ROWS = 500;

/**
 * Group commit for the inbox: the tokens of requests that arrive together are stored in one
 * statement (one round trip, one commit) instead of one each. Every request still waits for its
 * rows to be durable before it answers. If a batch fails, each request's rows are tried alone,
 * so one bad row fails only its own request.
 */
@Injectable()
export class InboxWriter {
  private waiting: Waiting[] = [];
  private scheduled = false;

  constructor(private readonly actions: ActionsRepository) {}

  /** Resolves with `<tnId>:<actionId>` of the rows that were new. */
  write(rows: StoredAction[]): Promise<Set<string>> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ rows, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    let count = 0;
    const batch: Waiting[] = [];
    while (this.waiting.length > 0 && count < MAX_ROWS) {
      const next = this.waiting.shift() as Waiting;
      batch.push(next);
      count += next.rows.length;
    }
    if (this.waiting.length > 0) setImmediate(() => void this.flush());
    else this.scheduled = false;
    try {
      const stored = await this.actions.insertAll(batch.flatMap((w) => w.rows));
      for (const w of batch) w.resolve(stored);
    } catch (error) {
      if (batch.length === 1) return void batch[0]?.reject(error);
      for (const w of batch) {
        this.actions.insertAll(w.rows).then(w.resolve, w.reject);
      }
    }
  }
}
