import { waitFor } from '@cloudillo/testing';
import * as Y from 'yjs';

import { type CollabStack, startCollabStack } from './collab-stack';
import { closeCodeOf, type DocClient, openDoc } from './crdt-clients';

const ALICE = 'alice.localhost';
const BOB = 'bob.localhost';

describe('collaborative documents over y-websocket (protocol §6)', () => {
  let stack: CollabStack;
  const clients: DocClient[] = [];

  beforeAll(async () => {
    stack = await startCollabStack({ tenants: [ALICE, BOB] });
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  afterAll(() => stack?.close());

  const open = async (fileId: string, params: Record<string, string> = {}, idTag = ALICE) => {
    const client = await openDoc(stack.gatewayPort, idTag, fileId, {
      token: stack.tokens[idTag] ?? '',
      ...params,
    });
    clients.push(client);
    return client;
  };
  const textOf = (client: DocClient) => client.text.toString();

  it('two stock providers converge, both ways', async () => {
    const fileId = await stack.createFile(ALICE, 'CRDT');
    const a = await open(fileId);
    const b = await open(fileId);
    a.text.insert(0, 'hello');
    await waitFor(async () => textOf(b) === 'hello', 5_000, 'b sees a');
    b.text.insert(5, ' world');
    await waitFor(async () => textOf(a) === 'hello world', 5_000, 'a sees b');
  });

  it('an edit made offline reaches the others after reconnecting, and both sides merge', async () => {
    const fileId = await stack.createFile(ALICE, 'CRDT');
    const a = await open(fileId);
    const b = await open(fileId);
    a.text.insert(0, 'base');
    await waitFor(async () => textOf(b) === 'base');
    b.provider.disconnect();
    b.text.insert(4, '+offline');
    a.text.insert(0, 'online+');
    b.provider.connect();
    await waitFor(async () => textOf(a) === 'online+base+offline', 5_000, 'a merged');
    await waitFor(async () => textOf(b) === 'online+base+offline', 5_000, 'b merged');
  });

  it('a read-only connection receives edits but its own are never applied or stored', async () => {
    const fileId = await stack.createFile(ALICE, 'CRDT');
    const writer = await open(fileId);
    const reader = await open(fileId, { access: 'read' });
    writer.text.insert(0, 'from writer');
    await waitFor(async () => textOf(reader) === 'from writer');
    reader.text.insert(0, 'sneaky ');
    writer.text.insert(11, '!');
    await waitFor(async () => textOf(reader) === 'sneaky from writer!');
    // A fresh client sees what the server has: the writer's text only.
    const fresh = await open(fileId);
    expect(textOf(fresh)).toBe('from writer!');
    expect(textOf(writer)).toBe('from writer!');
  });

  it('a document outlives its clients: stored, compacted and loaded again', async () => {
    const fileId = await stack.createFile(ALICE, 'CRDT');
    const first = await open(fileId);
    for (let i = 0; i < 20; i++) first.text.insert(first.text.length, `${i},`);
    const expected = textOf(first);
    const witness = await open(fileId);
    await waitFor(async () => textOf(witness) === expected);
    first.close();
    witness.close();
    const later = await open(fileId);
    expect(textOf(later)).toBe(expected);
  });

  it('tenants never share a document, even under the same file id', async () => {
    const fileId = await stack.createFile(ALICE, 'CRDT');
    const a = await open(fileId);
    a.text.insert(0, 'alice only');
    // Bob's token at Bob's host, naming Alice's file id: Bob has no such file.
    expect(
      await closeCodeOf(stack.gatewayPort, BOB, `/ws/crdt/${fileId}?token=${stack.tokens[BOB]}`),
    ).toBe(4404);
  });

  describe('refusals close with the codes of §6', () => {
    let fileId: string;
    beforeAll(async () => {
      fileId = await stack.createFile(ALICE, 'CRDT');
    });
    const code = (path: string, idTag = ALICE) => closeCodeOf(stack.gatewayPort, idTag, path);

    it('4401 for a bad token, a token of another tenant, and a guest on a private file', async () => {
      expect(await code(`/ws/crdt/${fileId}?token=not-a-token`)).toBe(4401);
      expect(await code(`/ws/crdt/${fileId}?token=${stack.tokens[BOB]}`)).toBe(4401);
      expect(await code(`/ws/crdt/${fileId}`)).toBe(4401);
    });

    it('4404 for an unknown file, 4409 for a file that is not a document', async () => {
      const token = stack.tokens[ALICE];
      expect(await code(`/ws/crdt/${'A'.repeat(24)}?token=${token}`)).toBe(4404);
      const db = await stack.createFile(ALICE, 'RTDB');
      expect(await code(`/ws/crdt/${db}?token=${token}`)).toBe(4409);
    });

    it('4400 for bad paths and bad access levels', async () => {
      const token = stack.tokens[ALICE];
      expect(await code(`/ws/crdt/?token=${token}`)).toBe(4400);
      expect(await code(`/ws/crdt?token=${token}`)).toBe(4400);
      // Dot segments never get past the gateway.
      await expect(code(`/ws/crdt/%2e%2e?token=${token}`)).rejects.toThrow(/404/);
      expect(await code(`/ws/crdt/%2Fetc?token=${token}`)).toBe(4400);
      expect(await code(`/ws/crdt/${fileId}/extra?token=${token}`)).toBe(4400);
      expect(await code(`/ws/crdt/%E0%A4%A?token=${token}`)).toBe(4400);
      expect(await code(`/ws/crdt/${fileId}?access=admin&token=${token}`)).toBe(4400);
    });

    it('4400 for malformed frames, and the document is unharmed', async () => {
      const writer = await open(fileId);
      writer.text.insert(0, 'intact');
      const garbage = [
        Uint8Array.of(0, 2, 200), // an update whose length runs past the frame
        Uint8Array.of(0, 7, 0), // no such sync step
        Uint8Array.of(42), // no such message type
        Uint8Array.of(0, 2, 3, 1, 2, 3), // not a Yjs update
      ];
      for (const frame of garbage) {
        const closed = await closeCodeOf(
          stack.gatewayPort,
          ALICE,
          `/ws/crdt/${fileId}?token=${stack.tokens[ALICE]}`,
          (ws) => ws.send(frame),
        );
        expect(closed).toBe(4400);
      }
      const text = await closeCodeOf(
        stack.gatewayPort,
        ALICE,
        `/ws/crdt/${fileId}?token=${stack.tokens[ALICE]}`,
        (ws) => ws.send('{"json": "is not a frame"}'),
      );
      expect(text).toBe(4400);
      const fresh = await open(fileId);
      expect(textOf(fresh)).toBe('intact');
    });
  });

  it('keeps Yjs state exact: what a client sends is what a new client loads', async () => {
    const fileId = await stack.createFile(ALICE, 'CRDT');
    const a = await open(fileId);
    a.doc.getMap('m').set('k', { nested: [1, 2, 3] });
    a.doc.getArray<number>('arr').push([1, 2, 3]);
    const b = await open(fileId);
    await waitFor(async () => b.doc.getArray('arr').length === 3);
    expect(Y.encodeStateVector(b.doc)).toEqual(Y.encodeStateVector(a.doc));
    expect(b.doc.getMap('m').get('k')).toEqual({ nested: [1, 2, 3] });
  });
});
