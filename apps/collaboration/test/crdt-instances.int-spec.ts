import { type ChildProcess } from 'node:child_process';

import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import { freePort, waitFor } from '@cloudillo/testing';
import * as Y from 'yjs';

import { type CollabStack, hostedWebSocket, startCollabStack } from './collab-stack';
import { spawnCollaboration } from './collaboration-process';
import { type DocClient, openDoc } from './crdt-clients';

const ALICE = 'alice.localhost';

describe('documents across clients, instances and crashes (protocol §6)', () => {
  let stack: CollabStack;
  const clients: DocClient[] = [];
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    stack = await startCollabStack({ tenants: [ALICE] });
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
    for (const child of children.splice(0)) child.kill('SIGKILL');
  });
  afterAll(() => stack?.close());

  /** A y-websocket client straight to one instance (no gateway: it resolves the tenant itself). */
  const openAt = async (port: number, fileId: string) => {
    const client = await openDoc(port, ALICE, fileId, { token: stack.tokens[ALICE] ?? '' });
    clients.push(client);
    return client;
  };

  it('a @hocuspocus/provider client on the native path edits with a y-websocket client', async () => {
    const fileId = await stack.createFile(ALICE, 'CRDT');
    const plain = await openAt(stack.gatewayPort, fileId);
    const doc = new Y.Doc();
    const socket = new HocuspocusProviderWebsocket({
      url: `ws://127.0.0.1:${stack.gatewayPort}/ws/hocuspocus/${fileId}?token=${stack.tokens[ALICE]}`,
      WebSocketPolyfill: hostedWebSocket(ALICE),
    });
    const native = new HocuspocusProvider({
      websocketProvider: socket,
      name: fileId,
      document: doc,
      token: 'the upgrade already authenticated this socket',
    });
    native.attach(); // a socket passed in is shared: providers attach themselves
    try {
      await waitFor(async () => native.isSynced, 10_000, 'native provider synced');
      doc.getText('t').insert(0, 'native');
      await waitFor(async () => plain.text.toString() === 'native', 5_000, 'plain sees native');
      plain.text.insert(6, ' + plain');
      await waitFor(async () => doc.getText('t').toString() === 'native + plain');
    } finally {
      native.destroy();
      socket.destroy();
      doc.destroy();
    }
  });

  it('two instances serve one document: clients of either converge, presence included (NATS fan-out)', async () => {
    const replica = await stack.startReplica();
    try {
      const fileId = await stack.createFile(ALICE, 'CRDT');
      const a = await openAt(stack.config.http.port, fileId);
      const b = await openAt(replica.port, fileId);
      a.text.insert(0, 'from instance 1');
      await waitFor(async () => b.text.toString() === 'from instance 1', 5_000, 'b sees a');
      b.text.insert(0, '2 and ');
      await waitFor(async () => a.text.toString() === '2 and from instance 1', 5_000, 'a sees b');
      // Presence crosses instances too, and leaves with its client.
      a.provider.awareness.setLocalStateField('user', { name: 'A' });
      const seenByB = () => b.provider.awareness.getStates().get(a.doc.clientID);
      await waitFor(async () => seenByB()?.['user']?.name === 'A', 5_000, 'b sees a’s presence');
      expect(seenByB()?.['user']).toEqual({ name: 'A', idTag: ALICE });
      const bId = b.doc.clientID;
      b.provider.awareness.setLocalStateField('user', { name: 'B' });
      await waitFor(async () => a.provider.awareness.getStates().has(bId), 5_000, 'a sees b');
      b.provider.disconnect();
      await waitFor(
        async () => !a.provider.awareness.getStates().has(bId),
        5_000,
        'b’s presence gone',
      );
    } finally {
      for (const client of clients.splice(0)) client.close();
      await replica.close();
    }
  });

  it('edits made while another instance opens the document reach it (no gap while replicas meet)', async () => {
    const replica = await stack.startReplica();
    try {
      const fileId = await stack.createFile(ALICE, 'CRDT');
      const a = await openAt(stack.config.http.port, fileId);
      let typing = true;
      const typed = (async () => {
        for (let i = 0; typing && i < 400; i++) {
          a.text.insert(a.text.length, `${i % 10}`);
          await new Promise((r) => setTimeout(r, 2));
        }
      })();
      await new Promise((r) => setTimeout(r, 50));
      const b = await openAt(replica.port, fileId); // joins while a types
      b.text.insert(0, 'B:');
      await new Promise((r) => setTimeout(r, 100));
      typing = false;
      await typed;
      await waitFor(async () => a.text.toString() === b.text.toString(), 5_000, 'converged').catch(
        (error) => {
          throw new Error(`${String(error)}: a=${a.text.length} b=${b.text.length}`);
        },
      );
      expect(a.text.toString().startsWith('B:')).toBe(true);
    } finally {
      for (const client of clients.splice(0)) client.close();
      await replica.close();
    }
  });

  it('kill -9 after an update reached another client loses nothing', async () => {
    const fileId = await stack.createFile(ALICE, 'CRDT');
    const port = await freePort();
    const config = { ...stack.config, http: { ...stack.config.http, port } };
    children.push(await spawnCollaboration(config));
    const writer = await openAt(port, fileId);
    const witness = await openAt(port, fileId);
    writer.text.insert(0, 'acknowledged');
    await waitFor(async () => witness.text.toString() === 'acknowledged', 5_000, 'broadcast');
    const [crashed] = children.splice(0);
    crashed?.kill('SIGKILL');
    await new Promise((resolve) => crashed?.once('exit', resolve));
    for (const client of clients.splice(0)) client.close();
    children.push(await spawnCollaboration(config));
    const after = await openAt(port, fileId);
    expect(after.text.toString()).toBe('acknowledged');
  });
});
