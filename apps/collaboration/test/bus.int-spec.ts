import { actionStored, fileIdGenerated } from '@cloudillo/contracts';
import { waitFor } from '@cloudillo/testing';
import { WebSocket } from 'ws';

import { type CollabStack, startCollabStack } from './collab-stack';
import { closeCodeOf } from './crdt-clients';

const ALICE = 'alice.localhost';
const BOB = 'bob.localhost';

/** A bus socket through the gateway, with every frame it received. */
interface BusClient {
  ws: WebSocket;
  frames: { id: string; cmd: string; data: unknown }[];
  closed: Promise<number>;
}

describe('notification bus /ws/bus (protocol §7.1)', () => {
  let stack: CollabStack;
  const clients: BusClient[] = [];

  beforeAll(async () => {
    stack = await startCollabStack({ tenants: [ALICE, BOB] });
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.ws.close();
  });
  afterAll(() => stack?.close());

  const connect = async (idTag: string): Promise<BusClient> => {
    const token = encodeURIComponent(stack.tokens[idTag] ?? '');
    const ws = new WebSocket(`ws://127.0.0.1:${stack.gatewayPort}/ws/bus?token=${token}`, {
      headers: { Host: `cl-o.${idTag}` },
    });
    const client: BusClient = {
      ws,
      frames: [],
      closed: new Promise((resolve) => ws.on('close', (code) => resolve(code))),
    };
    clients.push(client);
    ws.on('message', (data: Buffer) => client.frames.push(JSON.parse(data.toString('utf8'))));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  };
  /** Waits for the ack of a command, which also proves the socket is served. */
  const command = async (client: BusClient, cmd: string, id: string) => {
    client.ws.send(JSON.stringify({ id, cmd, data: null }));
    await waitFor(async () => client.frames.some((f) => f.id === id), 5_000, `ack of ${id}`);
    return client.frames.find((f) => f.id === id);
  };

  it('refuses a socket without a token (4401) or with a bad one (4401)', async () => {
    expect(await closeCodeOf(stack.gatewayPort, ALICE, '/ws/bus')).toBe(4401);
    expect(await closeCodeOf(stack.gatewayPort, ALICE, '/ws/bus?token=nonsense')).toBe(4401);
  });

  it('refuses a token of another tenant (4401)', async () => {
    const token = encodeURIComponent(stack.tokens[BOB] ?? '');
    expect(await closeCodeOf(stack.gatewayPort, ALICE, `/ws/bus?token=${token}`)).toBe(4401);
  });

  it("refuses a scoped token and a share link's token (4403)", async () => {
    const tokenOf = (res: { json: unknown }) =>
      (res.json as { data: { token: string } }).data.token;
    const own = stack.tokens[ALICE] ?? '';
    const fileId = await stack.createFile(ALICE, 'CRDT');
    const scoped = await stack.call(ALICE, 'GET', `/api/auth/access-token?scope=file:${fileId}:R`, {
      token: own,
    });
    expect(scoped.status).toBe(200);
    const link = await stack.call(ALICE, 'POST', '/api/refs', {
      token: own,
      body: { type: 'share.file', resourceId: fileId, accessLevel: 'read', count: 5 },
    });
    expect(link.status).toBe(201);
    const refId = (link.json as { data: { refId: string } }).data.refId;
    const shared = await stack.call(ALICE, 'GET', `/api/auth/access-token?refId=${refId}`);
    expect(shared.status).toBe(200);
    for (const token of [tokenOf(scoped), tokenOf(shared)])
      expect(
        await closeCodeOf(stack.gatewayPort, ALICE, `/ws/bus?token=${encodeURIComponent(token)}`),
      ).toBe(4403);
  });

  it('acks ping with pong and any other command with ok', async () => {
    const alice = await connect(ALICE);
    expect(await command(alice, 'ping', 'p1')).toEqual({
      id: 'p1',
      cmd: 'ack',
      data: { status: 'pong' },
    });
    expect(await command(alice, 'typing', 't1')).toEqual({
      id: 't1',
      cmd: 'ack',
      data: { status: 'ok' },
    });
  });

  it("pushes FILE_ID_GENERATED to the tenant's sockets only", async () => {
    const [a1, a2, bob] = [await connect(ALICE), await connect(ALICE), await connect(BOB)];
    // Each socket is registered once its first command is acked.
    for (const client of [a1, a2, bob]) await command(client, 'ping', 'ready');
    const fileId = `f1~${'A'.repeat(43)}`;
    await stack.identity.rpc.publish(fileIdGenerated, { tenant: ALICE, tempId: '@42', fileId });
    for (const client of [a1, a2])
      await waitFor(
        async () => client.frames.some((f) => f.cmd === 'FILE_ID_GENERATED'),
        5_000,
        'alice hears FILE_ID_GENERATED',
      );
    expect(a1.frames.find((f) => f.cmd === 'FILE_ID_GENERATED')).toEqual({
      id: expect.any(String),
      cmd: 'FILE_ID_GENERATED',
      data: { tempId: '@42', fileId },
    });
    // Bob's socket hears its own next event, so anything of Alice's would have come first.
    await stack.identity.rpc.publish(fileIdGenerated, {
      tenant: BOB,
      tempId: '@7',
      fileId: `f1~${'B'.repeat(43)}`,
    });
    await waitFor(async () => bob.frames.some((f) => f.cmd === 'FILE_ID_GENERATED'), 5_000);
    const bobs = bob.frames.filter((f) => f.cmd === 'FILE_ID_GENERATED');
    expect(bobs.map((f) => (f.data as { tempId: string }).tempId)).toEqual(['@7']);
    expect(a1.frames.filter((f) => f.cmd === 'FILE_ID_GENERATED')).toHaveLength(1);
  });

  it("pushes a stored action as ACTION to the tenant's sockets", async () => {
    const alice = await connect(ALICE);
    await command(alice, 'ping', 'ready');
    const actionId = `a1~${'C'.repeat(43)}`;
    await stack.identity.rpc.publish(actionStored, {
      tenant: ALICE,
      actionId,
      type: 'POST',
      issuer: ALICE,
      status: 'A',
      tempId: '@9',
    });
    await waitFor(async () => alice.frames.some((f) => f.cmd === 'ACTION'), 5_000, 'ACTION');
    expect(alice.frames.find((f) => f.cmd === 'ACTION')?.data).toMatchObject({
      actionId,
      tempId: '@9',
    });
  });

  it.each([
    ['not JSON', 'hello'],
    ['not an object', '[1,2]'],
    ['no cmd', JSON.stringify({ id: 'x', data: 1 })],
    ['a number as id', JSON.stringify({ id: 1, cmd: 'ping' })],
  ])('closes a socket that sends %s (4400) and keeps serving the others', async (_, frame) => {
    const other = await connect(ALICE);
    const bad = await connect(ALICE);
    bad.ws.send(frame);
    expect(await bad.closed).toBe(4400);
    expect(await command(other, 'ping', 'still')).toMatchObject({ data: { status: 'pong' } });
  });

  it('closes a socket that sends a binary frame (4400)', async () => {
    const bad = await connect(ALICE);
    bad.ws.send(Buffer.from([1, 2, 3]));
    expect(await bad.closed).toBe(4400);
  });
});
