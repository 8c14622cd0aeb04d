import { randomBytes } from 'node:crypto';

import { Logger } from '@nestjs/common';
import { type RtdbChange } from '@cloudillo/contracts';
import { type WebSocket } from 'ws';

import { type FileSocket } from '../socket/file-sockets';
import {
  type ChangeEvent,
  frames,
  type RequestId,
  type RtdbRequest,
  requestSchema,
} from './rtdb-frames';
import { type ChangeListener, type RtdbHub } from './rtdb-hub';
import { type Aggregate, type Doc, matches, type QueryFilter } from './rtdb-query';
import { type DbKey } from './rtdb.repository';
import { RtdbError, rtdbCodeOf, type RtdbService } from './rtdb.service';

/** Subscriptions one socket may hold. */
const MAX_SUBSCRIPTIONS = 100;

interface Subscription {
  coll: string;
  filter: QueryFilter | undefined;
  aggregate: Aggregate | undefined;
}

/** Whether a change is about a direct child of the collection (or, for locks, the path itself). */
function inCollection(change: RtdbChange, coll: string): boolean {
  if (change.path === coll) return true;
  const slash = change.path.lastIndexOf('/');
  return slash > 0 && change.path.slice(0, slash) === coll;
}

const asDoc = (value: unknown): Doc | undefined =>
  typeof value === 'object' && value !== null ? (value as Doc) : undefined;

/**
 * One `/ws/rtdb/{fileId}` socket (protocol §7): JSON requests answered in order, subscriptions
 * fed from the hub, locks released when it closes. A frame that is not a request gets an error
 * frame (code 400), never a closed socket or a crash.
 */
export class RtdbSession implements ChangeListener {
  private readonly logger = new Logger('rtdb');
  readonly key: DbKey;
  readonly connId = randomBytes(9).toString('base64url');
  private readonly subscriptions = new Map<string, Subscription>();
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly ws: WebSocket,
    private readonly file: FileSocket,
    private readonly service: RtdbService,
    private readonly hub: RtdbHub,
  ) {
    this.key = { tnId: file.tenant.tnId, dbId: file.fileId };
  }

  start(early: Uint8Array[]): void {
    this.hub.add(this);
    this.ws.on('message', (data: Buffer, isBinary) => this.enqueue(data, isBinary));
    this.ws.on('close', () => void this.end());
    for (const frame of early) this.enqueue(Buffer.from(frame), false);
  }

  /** Who holds locks and writes: the token's user; each guest socket is a user of its own. */
  private get user(): string {
    const { auth } = this.file;
    return auth && !auth.anonymous ? this.file.identity : `guest-${this.connId}`;
  }

  private get holder() {
    return { userId: this.user, connId: this.connId };
  }

  private enqueue(data: Buffer, isBinary: boolean): void {
    this.queue = this.queue.then(() => this.handle(data, isBinary));
  }

  private async end(): Promise<void> {
    this.hub.remove(this);
    this.subscriptions.clear();
    await this.queue;
    await this.service.unlockAll(this.key, this.holder).catch((error: unknown) => {
      this.logger.warn(`locks of a closed socket not released: ${String(error)}`);
    });
  }

  private send(frame: object): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(frame));
  }

  private async handle(data: Buffer, isBinary: boolean): Promise<void> {
    let json: unknown;
    try {
      json = isBinary ? undefined : JSON.parse(data.toString('utf8'));
    } catch {
      json = undefined;
    }
    const rid = requestIdOf(json);
    const parsed = requestSchema.safeParse(json);
    if (!parsed.success) {
      this.send(frames.error(rid, 400, `not a request: ${parsed.error.issues[0]?.message ?? ''}`));
      return;
    }
    try {
      await this.answer(parsed.data);
    } catch (error) {
      const code = rtdbCodeOf(error);
      if (code === 500) this.logger.warn(`${parsed.data.type} failed: ${String(error)}`);
      const message = code === 500 ? 'internal error' : (error as Error).message;
      this.send(frames.error(parsed.data.id, code, message));
    }
  }

  private requireWrite(): void {
    if (!this.file.writable) throw new RtdbError(403, 'write access denied: read-only connection');
  }

  private async answer(request: RtdbRequest): Promise<void> {
    const { id } = request;
    switch (request.type) {
      case 'ping':
        return this.send(frames.pong(id));
      case 'query':
        return this.send(
          frames.queryResult(id, await this.service.query(this.key, request.path, request)),
        );
      case 'get':
        return this.send(frames.getResult(id, await this.service.get(this.key, request.path)));
      case 'subscribe':
        return this.subscribe(
          id,
          request.path,
          request.filter ?? undefined,
          request.aggregate ?? undefined,
        );
      case 'unsubscribe':
        this.subscriptions.delete(request.subscriptionId);
        return this.send(frames.unsubscribeResult(id));
      case 'transaction': {
        this.requireWrite();
        const results = await this.service.transact(
          this.key,
          request.operations,
          this.file.identity,
        );
        return this.send(frames.transactionResult(id, results));
      }
      case 'createIndex':
        this.requireWrite();
        if (!request.path || !request.field)
          throw new RtdbError(400, 'createIndex needs a path and a field');
        // Every field is indexed already: documents are jsonb under a GIN index (see the schema).
        return this.send(frames.createIndexResult(id));
      case 'lock': {
        this.requireWrite();
        const other = await this.service.lock(this.key, request.path, {
          ...this.holder,
          mode: request.mode,
        });
        return this.send(frames.lockResult(id, other === undefined, other));
      }
      case 'unlock':
        this.requireWrite();
        await this.service.unlock(this.key, request.path, this.holder);
        return this.send(frames.unlockResult(id));
    }
  }

  private async subscribe(
    id: RequestId,
    path: string,
    filter: QueryFilter | undefined,
    aggregate: Aggregate | undefined,
  ): Promise<void> {
    if (this.subscriptions.size >= MAX_SUBSCRIPTIONS)
      throw new RtdbError(400, `at most ${MAX_SUBSCRIPTIONS} subscriptions per socket`);
    const initial = await this.service.query(this.key, path, { filter, aggregate });
    const subscriptionId = `sub-${randomBytes(9).toString('base64url')}`;
    // Registered before anything is sent: changes from now on reach it.
    this.subscriptions.set(subscriptionId, { coll: path, filter, aggregate });
    this.send(frames.subscribeResult(id, subscriptionId));
    this.send(frames.change(subscriptionId, { action: 'ready', path, data: initial }));
  }

  onChanges(changes: RtdbChange[]): void {
    for (const [subscriptionId, sub] of this.subscriptions) {
      const relevant = changes.filter((change) => inCollection(change, sub.coll));
      if (relevant.length === 0) continue;
      if (sub.aggregate) {
        if (relevant.some((c) => c.action !== 'lock' && c.action !== 'unlock'))
          this.enqueueAggregate(subscriptionId, sub);
        continue;
      }
      for (const change of relevant) {
        const event = this.eventFor(change, sub.filter);
        if (event) this.send(frames.change(subscriptionId, event));
      }
    }
  }

  /** What a subscriber hears of a change: a document leaving its filter is a delete. */
  private eventFor(change: RtdbChange, filter: QueryFilter | undefined): ChangeEvent | undefined {
    const data = asDoc(change.data);
    const old = asDoc(change.old);
    switch (change.action) {
      case 'lock':
      case 'unlock':
        // The connection that took or released it has its answer already (as the reference).
        if (asDoc(change.data)?.['connId'] === this.connId) return undefined;
        return { action: change.action, path: change.path, data: change.data };
      case 'create':
        return data && matches(data, filter)
          ? { action: 'create', path: change.path, data }
          : undefined;
      case 'update':
        if (data && matches(data, filter)) return { action: 'update', path: change.path, data };
        return old && matches(old, filter) ? { action: 'delete', path: change.path } : undefined;
      case 'delete':
        return !old || matches(old, filter) ? { action: 'delete', path: change.path } : undefined;
    }
  }

  /** Aggregates are recomputed (in order with the socket's requests) and sent whole. */
  private enqueueAggregate(subscriptionId: string, sub: Subscription): void {
    this.queue = this.queue.then(async () => {
      if (!this.subscriptions.has(subscriptionId)) return;
      try {
        const groups = await this.service.query(this.key, sub.coll, sub);
        this.send(
          frames.change(subscriptionId, { action: 'update', path: sub.coll, data: groups }),
        );
      } catch (error) {
        this.logger.warn(`aggregate of ${sub.coll} not recomputed: ${String(error)}`);
      }
    });
  }
}

/** The request's id, when the frame has a usable one (errors echo it). */
function requestIdOf(json: unknown): RequestId | undefined {
  const id = typeof json === 'object' && json !== null ? (json as { id?: unknown }).id : undefined;
  if (typeof id === 'number' && Number.isSafeInteger(id)) return id;
  return typeof id === 'string' && id.length > 0 && id.length <= 64 ? id : undefined;
}
