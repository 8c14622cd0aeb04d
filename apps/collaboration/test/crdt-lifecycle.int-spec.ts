import { type INestApplication } from '@nestjs/common';
import { freePort, waitFor } from '@cloudillo/testing';
import { WebSocket } from 'ws';

import { startCollaboration } from '../src/collaboration-app';
import { CrdtEngine } from '../src/crdt/crdt-engine';
import { type CollabStack, startCollabStack } from './collab-stack';
import { type DocClient, openDoc } from './crdt-clients';

const ALICE = 'alice.localhost';

/** The engine holds nothing: no document, socket, presence or per-document extension state. */
const EMPTY = {
  documents: 0,
  connections: 0,
  awarenessStates: 0,
  logBookkeeping: 0,
  relaySubscriptions: 0,
  relayLoading: 0,
  relayPeers: 0,
};

describe('documents leave nothing behind; limits hold (protocol §6)', () => {
  let stack: CollabStack;
  const extra: INestApplication[] = [];

  beforeAll(async () => {
    stack = await startCollabStack({ tenants: [ALICE] });
  });
  afterAll(async () => {
    await Promise.all(extra.map((app) => app.close()));
    await stack?.close();
  });

  /** Another instance on the same stack, with its own settings, reached directly. */
  const instance = async (overrides: object) => {
    const port = await freePort();
    const app = await startCollaboration(
      { ...stack.config, http: { ...stack.config.http, port }, ...overrides },
      { logger: false },
    );
    extra.push(app);
    return { port, engine: app.get(CrdtEngine) };
  };
  const openAt = (port: number, fileId: string) =>
    openDoc(port, ALICE, fileId, { token: stack.tokens[ALICE] ?? '' });

  it('unloads every document when its clients leave: no state, presence or subscription kept', async () => {
    const { port, engine } = await instance({});
    const clients: DocClient[] = [];
    for (let i = 0; i < 10; i++) {
      const fileId = await stack.createFile(ALICE, 'CRDT');
      for (let j = 0; j < 2; j++) {
        const client = await openAt(port, fileId);
        client.provider.awareness.setLocalStateField('user', { name: `u${j}` });
        client.text.insert(0, `doc ${i} client ${j} `);
        clients.push(client);
      }
    }
    await waitFor(async () => engine.stats().awarenessStates === 20, 5_000, 'presence seen');
    expect(engine.stats()).toMatchObject({
      documents: 10,
      connections: 20,
      relaySubscriptions: 10,
    });
    for (const client of clients) client.close();
    await waitFor(
      async () => JSON.stringify(engine.stats()) === JSON.stringify(EMPTY),
      10_000,
      'everything released',
    ).catch((error) => {
      throw new Error(`${String(error)}: ${JSON.stringify(engine.stats())}`);
    });
  });

  it('a document that fails to load closes its socket and is not kept', async () => {
    const { port, engine } = await instance({ dbSchema: 'no_such_schema' });
    const fileId = await stack.createFile(ALICE, 'CRDT');
    const ws = new WebSocket(
      `ws://127.0.0.1:${port}/ws/crdt/${fileId}?token=${stack.tokens[ALICE]}`,
      {
        headers: { Host: `cl-o.${ALICE}` },
      },
    );
    ws.on('open', () => ws.send(Uint8Array.of(0, 0, 1, 0))); // sync step 1, empty state vector
    const closed = await new Promise<number>((resolve) => ws.on('close', resolve));
    expect(closed).toBe(4500);
    await waitFor(
      async () => engine.stats().documents === 0,
      5_000,
      'the failed document unloaded',
    );
    expect(engine.stats()).toEqual(EMPTY);
  });

  it('a frame over the limit closes the socket (1009); a document over its limit refuses more (4400)', async () => {
    const { port, engine } = await instance({
      limits: { frameBytes: 64 * 1024, documentBytes: 100 * 1024 },
    });
    const fileId = await stack.createFile(ALICE, 'CRDT');
    const big = new WebSocket(
      `ws://127.0.0.1:${port}/ws/crdt/${fileId}?token=${stack.tokens[ALICE]}`,
      {
        headers: { Host: `cl-o.${ALICE}` },
      },
    );
    big.on('open', () => big.send(Buffer.alloc(65 * 1024)));
    expect(await new Promise<number>((resolve) => big.on('close', resolve))).toBe(1009);

    const writer = await openAt(port, fileId);
    let code: number | undefined;
    writer.provider.on('connection-close', (event: CloseEvent | null) => {
      code ??= event?.code;
    });
    for (let i = 0; i < 5 && code === undefined; i++) {
      writer.text.insert(writer.text.length, 'x'.repeat(30 * 1024));
      await waitFor(async () => true, 100).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 200));
    }
    await waitFor(async () => code !== undefined, 5_000, 'the writer was refused');
    expect(code).toBe(4400);
    writer.close();
    // What was stored stays within the limit, and the document still loads.
    const reader = await openAt(port, fileId);
    expect(reader.text.length).toBeLessThanOrEqual(100 * 1024);
    expect(reader.text.length).toBeGreaterThanOrEqual(90 * 1024);
    reader.close();
    await waitFor(async () => engine.stats().documents === 0, 10_000, 'unloaded');
  });
});
