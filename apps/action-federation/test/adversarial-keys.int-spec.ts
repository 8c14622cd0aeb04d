import { rotateTenantKey, signWithTenantKey } from '@cloudillo/contracts';
import { contentId } from '@cloudillo/crypto';
import { dataOf, freePort } from '@cloudillo/testing';

import { actionClient } from './action-client';
import { type FederationStack, startFederationStack } from './federation-stack';

const ALICE = 'alice.keys-a.localhost';
const BOB = 'bob.keys-b.localhost';
const YEAR = 365 * 86_400;

/**
 * Retired keys stay verifiable (issue 20): Alice's key is rotated out (retired at once: a grace of
 * 0) before Bob's node ever read her profile; a post she signed two years ago, delivered now (as
 * a repost or history sync would bring it), is still verified against the key /api/me publishes.
 * On the code before, the retired key vanished from /api/me and the post was refused.
 */
describe('adversarial keys: a rotated-out key still verifies what it signed', () => {
  let a: FederationStack;
  let b: FederationStack;
  const nodeOf = (idTag: string) => (idTag === ALICE ? a : b);
  const { create, arrived } = actionClient(nodeOf);

  beforeAll(async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    a = await startFederationStack({
      tenants: [ALICE],
      baseIdTag: 'keys-a.localhost',
      gatewayPort: portA,
      peers: { '*.keys-b.localhost': `http://127.0.0.1:${portB}` },
      keyRotation: { graceMs: 0 },
    });
    b = await startFederationStack({
      tenants: [BOB],
      baseIdTag: 'keys-b.localhost',
      gatewayPort: portB,
      peers: { '*.keys-a.localhost': `http://127.0.0.1:${portA}` },
    });
  });

  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('a two-year-old post signed with a retired key is verified at a peer that reads /api/me after the rotation', async () => {
    const now = Math.floor(Date.now() / 1000);
    const { token: old, keyId: oldKey } = await a.identity.rpc.request(signWithTenantKey, {
      idTag: ALICE,
      claims: { t: 'POST', c: 'from two years ago', iat: now - 2 * YEAR },
    });
    const { keyId: newKey } = await a.identity.rpc.request(rotateTenantKey, { idTag: ALICE });
    const keys = dataOf<{ keys: { keyId: string; expiresAt?: string }[] }>(
      await a.call(ALICE, 'GET', '/api/me'),
    ).keys;
    expect(keys.map((k) => k.keyId)).toEqual(expect.arrayContaining([oldKey, newKey]));
    expect(keys.find((k) => k.keyId === oldKey)?.expiresAt).toEqual(expect.any(String));
    // Bob follows Alice: her posts are welcome at his node.
    await create(BOB, { type: 'FLLW', audienceTag: ALICE });
    const res = await b.call(BOB, 'POST', '/api/inbox', { body: { token: old } });
    expect(res.status).toBe(201);
    await arrived(BOB, contentId('a', old));
  });
});
