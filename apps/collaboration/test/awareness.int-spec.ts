import { waitFor } from '@cloudillo/testing';
import * as encoding from 'lib0/encoding';
import { WebSocket } from 'ws';
import { Awareness, encodeAwarenessUpdate } from 'y-protocols/awareness';
import * as Y from 'yjs';

import { type CollabStack, startCollabStack } from './collab-stack';
import { type DocClient, openDoc } from './crdt-clients';

const ALICE = 'alice.localhost';
/** y-websocket's awareness message type. */
const AWARENESS = 1;

/** A fake Yjs client of a raw socket: its own client id and awareness. */
interface FakeClient {
  clientId: number;
  awareness: Awareness;
}

function fakeClient(clientId: number): FakeClient {
  const doc = new Y.Doc();
  doc.clientID = clientId;
  return { clientId, awareness: new Awareness(doc) };
}

/** The y-websocket awareness frame for a fake client's current state. */
function awarenessFrame(client: FakeClient): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, AWARENESS);
  encoding.writeVarUint8Array(encoder, encodeAwarenessUpdate(client.awareness, [client.clientId]));
  return encoding.toUint8Array(encoder);
}

/** Awareness as the reference relays it (protocol §6; src/crdt/awareness-guard.extension.ts). */
describe('awareness over y-websocket (protocol §6)', () => {
  let stack: CollabStack;
  const clients: DocClient[] = [];
  const sockets: WebSocket[] = [];
  const fakes: FakeClient[] = [];

  beforeAll(async () => {
    stack = await startCollabStack({ tenants: [ALICE] });
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
    for (const ws of sockets.splice(0)) ws.terminate();
    for (const fake of fakes.splice(0)) {
      fake.awareness.destroy();
      fake.awareness.doc.destroy();
    }
  });
  afterAll(() => stack?.close());

  const open = async (fileId: string) => {
    const client = await openDoc(stack.gatewayPort, ALICE, fileId, {
      token: stack.tokens[ALICE]!,
    });
    clients.push(client);
    return client;
  };

  /**
   * A raw socket to the document, once open. The server speaks only when spoken to, and holds
   * frames that arrive before the socket is authorised, so frames may be sent at once.
   */
  const rawSocket = (fileId: string) =>
    new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(
        `ws://127.0.0.1:${stack.gatewayPort}/ws/crdt/${fileId}?token=${stack.tokens[ALICE]}`,
        { headers: { Host: `cl-o.${ALICE}` } },
      );
      sockets.push(ws);
      ws.once('open', () => resolve(ws));
      ws.once('close', (code) => reject(new Error(`closed with ${code}`)));
      ws.once('error', reject);
    });

  const fake = (clientId: number, state: Record<string, unknown>) => {
    const client = fakeClient(clientId);
    client.awareness.setLocalState(state);
    fakes.push(client);
    return client;
  };

  const stateOf = (observer: DocClient, clientId: number) =>
    observer.provider.awareness.getStates().get(clientId);

  it('a state’s user.idTag is the socket’s identity, whatever the client wrote; the rest is kept', async () => {
    const fileId = await stack.createFile(ALICE, 'CRDT');
    const liar = await open(fileId);
    const observer = await open(fileId);
    liar.provider.awareness.setLocalState({
      user: { idTag: 'mallory.example', name: 'M' },
      cursor: { anchor: 3 },
    });
    const seen = await waitFor(
      async () => stateOf(observer, liar.doc.clientID),
      5_000,
      'the liar’s state',
    );
    expect(seen).toEqual({ user: { idTag: ALICE, name: 'M' }, cursor: { anchor: 3 } });

    // A state without a user gets none added; a user that is not an object becomes one.
    const raw = await rawSocket(fileId);
    const noUser = fake(424_242, { cursor: { anchor: 1 } });
    const oddUser = fake(434_343, { user: 'mallory.example' });
    raw.send(awarenessFrame(noUser));
    raw.send(awarenessFrame(oddUser));
    await waitFor(async () => stateOf(observer, oddUser.clientId), 5_000, 'the odd user');
    expect(stateOf(observer, noUser.clientId)).toEqual({ cursor: { anchor: 1 } });
    expect(stateOf(observer, oddUser.clientId)).toEqual({ user: { idTag: ALICE } });
  });

  /** Sends each fake's state in its own frame, then waits until the observer has the last. */
  const sendAll = async (raw: WebSocket, observer: DocClient, crowd: FakeClient[]) => {
    for (const client of crowd) raw.send(awarenessFrame(client));
    // A barrier: one socket's frames are handled in order, so once this update of the first id
    // (owned whatever the cap) arrives, all the others were handled.
    crowd[0]!.awareness.setLocalStateField('barrier', true);
    raw.send(awarenessFrame(crowd[0]!));
    await waitFor(
      async () => stateOf(observer, crowd[0]!.clientId)?.['barrier'] === true,
      5_000,
      'the barrier update',
    );
  };

  it('a socket never owns more than 8 client ids: the others never reach anyone', async () => {
    const fileId = await stack.createFile(ALICE, 'CRDT');
    const observer = await open(fileId);
    const raw = await rawSocket(fileId);
    const ids = Array.from({ length: 10 }, (_, i) => 1_000_000 + i);
    const crowd = ids.map((id, i) =>
      fake(id, { user: { idTag: 'mallory.example', name: `fake ${i}` } }),
    );
    await sendAll(raw, observer, crowd);
    const seenBy = (client: DocClient) => ids.filter((id) => stateOf(client, id) !== undefined);
    const seen = seenBy(observer);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.length).toBeLessThanOrEqual(8);
    // Ids are owned in the order they are named: the ninth and tenth never are.
    expect(seen).toEqual(ids.slice(0, seen.length));
    expect(stateOf(observer, ids[0]!)).toEqual({
      user: { idTag: ALICE, name: 'fake 0' },
      barrier: true,
    });

    // Updates of an owned id still pass; a refused id stays out on a second try too.
    crowd[9]!.awareness.setLocalStateField('again', true);
    raw.send(awarenessFrame(crowd[9]!));
    crowd[1]!.awareness.setLocalStateField('again', true);
    raw.send(awarenessFrame(crowd[1]!));
    await waitFor(async () => stateOf(observer, ids[1]!)?.['again'] === true, 5_000, 'id 1 again');
    expect(seenBy(observer)).toEqual(seen);

    // A client that joins later gets the document's awareness: the same ones.
    const late = await open(fileId);
    await waitFor(async () => stateOf(late, ids[0]!), 5_000, 'the late client sees the crowd');
    expect(seenBy(late)).toEqual(seen);
  });

  // Hocuspocus 4.7 decodes each awareness frame into a scratch `Awareness` whose own empty state
  // (a random client id) is among the states the guard sees; counting it spent a slot per frame,
  // so a socket naming its ids one frame at a time got 4 of its 8.
  it('a socket owns 8 client ids even when it names them one frame at a time', async () => {
    const fileId = await stack.createFile(ALICE, 'CRDT');
    const observer = await open(fileId);
    const raw = await rawSocket(fileId);
    const ids = Array.from({ length: 8 }, (_, i) => 1_100_000 + i);
    await sendAll(
      raw,
      observer,
      ids.map((id, i) => fake(id, { user: { name: `fake ${i}` } })),
    );
    // Today: the first 4 only.
    expect(ids.filter((id) => stateOf(observer, id) !== undefined)).toEqual(ids);
  });

  it('when a client disconnects, the others see its states removed', async () => {
    const fileId = await stack.createFile(ALICE, 'CRDT');
    const observer = await open(fileId);

    // A raw socket that just drops (no parting awareness update): the server removes its states.
    const raw = await rawSocket(fileId);
    const ids = [2_000_001, 2_000_002, 2_000_003];
    for (const id of ids) raw.send(awarenessFrame(fake(id, { user: { name: `raw ${id}` } })));
    await waitFor(
      async () => ids.every((id) => stateOf(observer, id) !== undefined),
      5_000,
      'the raw socket’s states',
    );
    raw.terminate();
    await waitFor(
      async () => ids.every((id) => stateOf(observer, id) === undefined),
      5_000,
      'the raw socket’s states removed',
    );

    // A stock provider that closes.
    const leaving = await open(fileId);
    leaving.provider.awareness.setLocalStateField('user', { name: 'leaving' });
    const leavingId = leaving.doc.clientID;
    await waitFor(async () => stateOf(observer, leavingId), 5_000, 'the leaving client’s state');
    leaving.close();
    await waitFor(
      async () => stateOf(observer, leavingId) === undefined,
      5_000,
      'the leaving client’s state removed',
    );
    // The observer's own state is untouched by others leaving.
    expect(stateOf(observer, observer.doc.clientID)).toBeDefined();
  });
});
