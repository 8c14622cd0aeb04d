import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ContractClient, type RtdbChange, rtdbChanged } from '@cloudillo/contracts';

import { type DbKey } from './rtdb.repository';

/** A socket that wants to hear its database's changes. */
export interface ChangeListener {
  readonly key: DbKey;
  onChanges(changes: RtdbChange[]): void;
}

const keyOf = (key: DbKey) => `${key.tnId}:${key.dbId}`;

/**
 * This replica's RTDB sockets by database, fed by `collab.rtdb.changed.v1` from every replica (a
 * plain subscription, not a queue group: each replica must hear each change).
 */
@Injectable()
export class RtdbHub implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('rtdb');
  private readonly listeners = new Map<string, Set<ChangeListener>>();
  private stop: (() => void) | undefined;

  constructor(private readonly rpc: ContractClient) {}

  onModuleInit(): void {
    this.stop = this.rpc.subscribe(
      rtdbChanged,
      ({ tnId, dbId, changes }) => {
        for (const listener of this.listeners.get(keyOf({ tnId, dbId })) ?? [])
          listener.onChanges(changes);
      },
      () => this.logger.warn(`dropped a malformed ${rtdbChanged.subject} event`),
    );
  }

  onModuleDestroy(): void {
    this.stop?.();
  }

  add(listener: ChangeListener): void {
    const key = keyOf(listener.key);
    let set = this.listeners.get(key);
    if (!set) this.listeners.set(key, (set = new Set()));
    set.add(listener);
  }

  remove(listener: ChangeListener): void {
    const key = keyOf(listener.key);
    const set = this.listeners.get(key);
    set?.delete(listener);
    if (set?.size === 0) this.listeners.delete(key);
  }

  get databases(): number {
    return this.listeners.size;
  }
}
