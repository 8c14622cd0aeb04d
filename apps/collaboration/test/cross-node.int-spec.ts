import { dataOf, waitFor } from '@cloudillo/testing';

import { type CollabStack, startCollabStack } from './collab-stack';
import { closeCodeOf, type DocClient, openDoc } from './crdt-clients';

const ALICE = 'alice.localhost';
const BOB = 'bob.localhost';

const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

/**
 * Issue 23: a user of a second node edits a document here (protocol §4.4 and §6). Both tenants
 * live in one deployment behind one gateway, and each is the other's peer in the peer map, so
 * the PROXY exchange runs for real over HTTP from Bob's host to Alice's.
 */
describe('cross-node: a user of a second node edits a document here (protocol §4.4, §6)', () => {
  let stack: CollabStack;
  const clients: DocClient[] = [];

  beforeAll(async () => {
    stack = await startCollabStack({ tenants: [ALICE, BOB] });
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  afterAll(() => stack?.close());

  const open = async (idTag: string, fileId: string, token: string) => {
    const client = await openDoc(stack.gatewayPort, idTag, fileId, { token });
    clients.push(client);
    return client;
  };
  const textOf = (client: DocClient) => client.text.toString();

  const share = async (fileId: string, permission: 'R' | 'W') => {
    const res = await stack.call(ALICE, 'POST', `/api/files/${fileId}/shares`, {
      token: stack.tokens[ALICE],
      body: { subjectType: 'U', subjectId: BOB, permission },
    });
    expect([res.status, res.text]).toEqual([201, res.text]);
  };

  /** Steps 1–5: Bob's node exchanges a PROXY token at Alice's; a token valid at Alice's, sub Bob. */
  const bobAtAlice = async () => {
    const res = await stack.call(BOB, 'GET', `/api/auth/proxy-token?idTag=${ALICE}`, {
      token: stack.tokens[BOB],
    });
    expect([res.status, res.text]).toEqual([200, res.text]);
    const { token } = dataOf<{ token: string; roles?: string[] }>(res);
    expect(claimsOf(token)).toMatchObject({ iss: ALICE, sub: BOB });
    return token;
  };

  /** Step 6: Bob narrows that token at Alice's node to one file. */
  const bobScopedAtAlice = async (fileId: string) => {
    const scope = `file:${fileId}:W`;
    const res = await stack.call(ALICE, 'GET', `/api/auth/access-token?scope=${scope}`, {
      token: await bobAtAlice(),
    });
    expect([res.status, res.text]).toEqual([200, res.text]);
    const { token } = dataOf<{ token: string }>(res);
    expect(claimsOf(token)).toMatchObject({ iss: ALICE, sub: BOB, scope });
    return token;
  };

  it('with a write share, Bob edits Alice’s document with the scoped token, and both see each other', async () => {
    const fileId = await stack.createFile(ALICE, 'CRDT');
    await share(fileId, 'W');
    const token = await bobScopedAtAlice(fileId);

    const alice = await open(ALICE, fileId, stack.tokens[ALICE]!);
    // Step 7: Bob's client talks to ALICE's host, not his own.
    const bob = await open(ALICE, fileId, token);
    bob.text.insert(0, 'from bob');
    await waitFor(async () => textOf(alice) === 'from bob', 5_000, 'alice sees bob');
    alice.text.insert(8, ', from alice');
    await waitFor(async () => textOf(bob) === 'from bob, from alice', 5_000, 'bob sees alice');

    // Bob's presence speaks for Bob (the token's subject), whatever his client claims.
    bob.provider.awareness.setLocalStateField('user', { idTag: ALICE, name: 'Bob' });
    await waitFor(
      async () => {
        const user = alice.provider.awareness.getStates().get(bob.doc.clientID)?.['user'] as
          { idTag?: string } | undefined;
        return user?.idTag === BOB;
      },
      5_000,
      'bob’s awareness as bob',
    );

    // Bob's edit was stored, not only relayed.
    alice.close();
    bob.close();
    const later = await open(ALICE, fileId, stack.tokens[ALICE]!);
    expect(textOf(later)).toBe('from bob, from alice');
  });

  it('without a share the token gets 4404, and a token scoped to another file does too', async () => {
    const fileId = await stack.createFile(ALICE, 'CRDT');
    const scoped = await bobScopedAtAlice(fileId);
    // Bob cannot read the file, so for him it does not exist (§6: 4404 not found, no existence
    // oracle — the same code as for an unknown file id).
    expect(await closeCodeOf(stack.gatewayPort, ALICE, `/ws/crdt/${fileId}?token=${scoped}`)).toBe(
      4404,
    );
    // The unscoped proxy-exchanged token: the same.
    expect(
      await closeCodeOf(stack.gatewayPort, ALICE, `/ws/crdt/${fileId}?token=${await bobAtAlice()}`),
    ).toBe(4404);

    // A token scoped to one file does not open another file Bob may write (scopes fail closed,
    // §4.2). A file scope reaches `/ws/crdt/*` as a path, so the upgrade guard lets it by (its
    // 4403 is for paths outside a scope); the file check then finds no level for the other file
    // and answers as for any file the caller cannot see: 4404, as `/api/files/{other}` answers
    // 404 to the same token (apps/blob/test/file-access.int-spec.ts).
    const other = await stack.createFile(ALICE, 'CRDT');
    await share(other, 'W');
    await share(fileId, 'W');
    expect(await closeCodeOf(stack.gatewayPort, ALICE, `/ws/crdt/${other}?token=${scoped}`)).toBe(
      4404,
    );
    // Bob's unscoped token opens it, so the refusal above was the scope's.
    const direct = await open(ALICE, other, await bobAtAlice());
    expect(direct.provider.wsconnected).toBe(true);
    // And now that the file is shared, the very token that got 4404 opens it.
    const bob = await open(ALICE, fileId, scoped);
    expect(bob.provider.wsconnected).toBe(true);
  });

  it('with a read share, Bob receives Alice’s edits but his own are never applied', async () => {
    const fileId = await stack.createFile(ALICE, 'CRDT');
    await share(fileId, 'R');
    // The token asks for W; the share caps Bob at R, so his socket is read-only.
    const token = await bobScopedAtAlice(fileId);
    const alice = await open(ALICE, fileId, stack.tokens[ALICE]!);
    alice.text.insert(0, 'alice');
    const bob = await open(ALICE, fileId, token);
    expect(textOf(bob)).toBe('alice');

    bob.text.insert(0, 'bob+');
    // A barrier: one socket's frames are handled in order, so once Alice sees Bob's awareness
    // (sent after his edit), the server has handled the edit too.
    bob.provider.awareness.setLocalStateField('user', { name: 'after-edit' });
    await waitFor(
      async () => alice.provider.awareness.getStates().get(bob.doc.clientID)?.['user'],
      5_000,
      'bob’s awareness after his edit',
    );
    alice.text.insert(5, '!');
    await waitFor(async () => textOf(bob) === 'bob+alice!', 5_000, 'bob sees alice');
    expect(textOf(alice)).toBe('alice!');

    // Nothing of Bob's was stored either.
    alice.close();
    bob.close();
    const later = await open(ALICE, fileId, stack.tokens[ALICE]!);
    expect(textOf(later)).toBe('alice!');
  });
});
