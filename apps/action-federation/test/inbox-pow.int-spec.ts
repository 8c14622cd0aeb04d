import { createFederationDb } from '@cloudillo/db-federation';
import { dataOf, errorCodeOf, waitFor } from '@cloudillo/testing';

import { type FederationStack, startFederationStack } from './federation-stack';
import { signUntil as signWithWorkUntil, withoutWork, withWork } from './pow';

const ALICE = 'alice.localhost';
const BOB = 'bob.localhost';
const CAROL = 'carol.localhost';

/** Proof of work for connection requests (protocol §2.8), charged per sending address. */
describe('inbox: proof of work for CONN after bad signatures and repeated requests', () => {
  let stack: FederationStack;

  beforeAll(async () => {
    stack = await startFederationStack({ tenants: [ALICE, BOB, CAROL] });
  });

  afterAll(() => stack?.close());

  const now = () => Math.floor(Date.now() / 1000);
  const deliver = (token: string, to = BOB) =>
    stack.call(to, 'POST', '/api/inbox', { body: { token } });
  const signUntil = (
    idTag: string,
    claims: Record<string, unknown>,
    accept: (token: string) => boolean,
  ) => signWithWorkUntil(stack.identity.rpc, idTag, claims, accept);
  const failed = async (idTag: string, actionId: string) =>
    dataOf<{ actionId: string }[]>(
      await stack.call(idTag, 'GET', '/api/actions?status=F', { token: stack.tokens[idTag] }),
    ).some((a) => a.actionId === actionId);

  /** Whether a CONN from `issuer` waits at alice for her answer (status C). */
  const pendingAtAlice = async (issuer: string) =>
    dataOf<{ issuer: { idTag: string } }[]>(
      await stack.call(ALICE, 'GET', '/api/actions?status=C', { token: stack.tokens[ALICE] }),
    ).some((a) => a.issuer.idTag === issuer);

  it('asks nothing at first; after a forged token, a CONN without the work is 428', async () => {
    const plain = await signUntil(ALICE, { t: 'CONN', aud: BOB, iat: now() }, withoutWork(1));
    expect((await deliver(plain)).status).toBe(201);

    // A forged token (signature of another token) from this address.
    const other = await signUntil(CAROL, { t: 'FLLW', aud: BOB, iat: now() }, () => true);
    const forged = `${other.split('.').slice(0, 2).join('.')}.${plain.split('.')[2]}`;
    const res = await deliver(forged);
    expect(res.status).toBe(201);
    await waitFor(async () => failed(BOB, dataOf<{ actionId: string }>(res).actionId));

    const lazy = await signUntil(CAROL, { t: 'CONN', aud: ALICE, iat: now() }, withoutWork(1));
    const refused = await deliver(lazy, ALICE);
    expect([refused.status, errorCodeOf(refused)]).toEqual([428, 'E-POW-REQUIRED']);
    expect((refused.json as { error: { details?: unknown } }).error.details).toEqual({
      required: 1,
    });
    const worked = await signUntil(CAROL, { t: 'CONN', aud: ALICE, iat: now() }, withWork(1));
    expect((await deliver(worked, ALICE)).status).toBe(201);
    // Verified before alice sends her own CONN to carol (next test): verified after it, carol's
    // request would meet alice's and connect them instead of waiting (the last test needs it to).
    await waitFor(async () => pendingAtAlice(CAROL));
    // Other types never need it.
    const follow = await signUntil(CAROL, { t: 'FLLW', aud: ALICE, iat: now() }, withoutWork(1));
    expect((await deliver(follow, ALICE)).status).toBe(201);
  });

  it('our own node does the work when a peer asks for it (428 → signed again with the work)', async () => {
    // The forged token above counts against this address: a CONN from here needs one "A" now.
    const res = await stack.call(ALICE, 'POST', '/api/actions', {
      token: stack.tokens[ALICE],
      body: { type: 'CONN', audienceTag: CAROL, content: 'worth the work' },
    });
    expect(res.status).toBe(201);
    const original = dataOf<{ actionId: string }>(res).actionId;
    const atCarol = await waitFor(async () => {
      for (const status of ['A', 'C']) {
        const found = dataOf<{ actionId: string; issuer: { idTag: string } }[]>(
          await stack.call(CAROL, 'GET', `/api/actions?type=CONN&status=${status}`, {
            token: stack.tokens[CAROL],
          }),
        ).find((a) => a.issuer.idTag === ALICE);
        if (found) return found;
      }
      return undefined;
    }, 20_000);
    const db = createFederationDb({
      databaseUrl: stack.config.databaseUrl,
      schema: stack.config.dbSchema,
    });
    const sent = await db.action.findFirst({ where: { actionId: original } });
    await db.$disconnect();
    if (sent?.token.endsWith('A')) {
      // One time in 64 the first signature already carries the work: it arrives as it is.
      expect(atCarol.actionId).toBe(original);
      return;
    }
    // Otherwise what arrived is the reworked token (a new id); here it replaced the original.
    expect(atCarol.actionId).not.toBe(original);
    const mine = await stack.call(ALICE, 'GET', `/api/actions/${original}`, {
      token: stack.tokens[ALICE],
    });
    expect(dataOf<{ status: string }>(mine).status).toBe('D');
    const reworked = await stack.call(ALICE, 'GET', `/api/actions/${atCarol.actionId}`, {
      token: stack.tokens[ALICE],
    });
    expect(dataOf<{ status: string }>(reworked).status).toBe('A');
  });

  it('a second request while the first still waits raises the work for the next one', async () => {
    // Carol's request to alice (above) waits as C; asking again costs one more "A".
    await waitFor(async () => pendingAtAlice(CAROL));
    const again = await signUntil(
      CAROL,
      { t: 'CONN', aud: ALICE, c: 'again', iat: now() },
      withWork(1),
    );
    expect((await deliver(again, ALICE)).status).toBe(201);
    const third = await signUntil(
      CAROL,
      { t: 'CONN', aud: ALICE, c: 'third', iat: now() },
      (token) => withWork(1)(token) && withoutWork(2)(token),
    );
    const res = await deliver(third, ALICE);
    expect([res.status, errorCodeOf(res)]).toEqual([428, 'E-POW-REQUIRED']);
  });
});
