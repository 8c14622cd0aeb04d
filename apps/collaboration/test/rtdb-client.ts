import { waitFor } from '@cloudillo/testing';
import { WebSocket } from 'ws';

import { type ServerFrame, serverFrame } from './rtdb-contract';

type Change = Extract<ServerFrame, { type: 'change' }>;

/**
 * A raw `/ws/rtdb/{fileId}` client for tests: numbered requests as the upstream client sends
 * them, every frame received checked against the client's shapes (a mismatch fails the test).
 */
export class RtdbTestClient {
  private nextId = 0;
  private readonly waiting = new Map<number, (frame: ServerFrame) => void>();
  readonly changes: Change[] = [];
  readonly invalid: unknown[] = [];
  /** Error frames answering something without a usable id. */
  readonly orphanErrors: ServerFrame[] = [];
  closeCode: number | undefined;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const json: unknown = JSON.parse(data.toString());
      const parsed = serverFrame.safeParse(json);
      if (!parsed.success) {
        this.invalid.push(json);
        return;
      }
      const frame = parsed.data;
      if (frame.type === 'change') this.changes.push(frame);
      else if (typeof frame.id === 'number') this.waiting.get(frame.id)?.(frame);
      else this.orphanErrors.push(frame);
    });
    ws.on('close', (code) => (this.closeCode = code));
  }

  static async open(
    port: number,
    idTag: string,
    fileId: string,
    query: string,
  ): Promise<RtdbTestClient> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/rtdb/${fileId}?${query}`, {
      headers: { Host: `cl-o.${idTag}` },
    });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return new RtdbTestClient(ws);
  }

  /** Sends a request and waits for the frame answering it. */
  request(message: Record<string, unknown>): Promise<ServerFrame> {
    const id = ++this.nextId;
    return this.requestRaw(JSON.stringify({ ...message, id }), id);
  }

  requestRaw(text: string, id: number): Promise<ServerFrame> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no answer to ${text.slice(0, 80)}`)),
        10_000,
      );
      this.waiting.set(id, (frame) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        resolve(frame);
      });
      this.ws.send(text);
    });
  }

  /** A frame that has no usable id (its answer is an error frame without one). */
  sendRaw(data: string | Buffer): void {
    this.ws.send(data);
  }

  async changeWhere(test: (change: Change) => boolean, what = 'change'): Promise<Change> {
    return waitFor(async () => this.changes.find(test), 10_000, what);
  }

  close(): void {
    this.ws.close();
  }

  async closed(): Promise<number> {
    return waitFor(async () => this.closeCode, 10_000, 'close');
  }
}
