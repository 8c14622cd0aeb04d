import { createFederationDb, type FederationDb } from '@cloudillo/db-federation';
import { apiClient, freePort, waitFor } from '@cloudillo/testing';

import { type FederationStack } from './federation-stack';
import { startFollowingPair } from './following-pair';
import { type FederationProcess, spawnFederation } from './federation-process';

const ALICE = 'alice.crash-a.localhost';

/**
 * The transactional outbox (issue 20): action-federation is killed (SIGKILL, at a fault point)
 * after Alice's post is committed and before its fan-out is queued. After a restart the post
 * reaches Bob's node exactly once. On the code before, the stored post was never delivered.
 */
describe('adversarial crash: a stored action is delivered though the process died before queueing it', () => {
  let a: FederationStack;
  let b: FederationStack;
  let aDb: FederationDb;
  let bDb: FederationDb;
  const processes: FederationProcess[] = [];

  beforeAll(async () => {
    // Node A's own service answers nothing here: its API and workers run in child processes.
    ({ a, b } = await startFollowingPair({
      domainA: 'crash-a.localhost',
      domainB: 'crash-b.localhost',
      configA: { workers: false },
    }));
    aDb = createFederationDb({ databaseUrl: a.config.databaseUrl, schema: a.config.dbSchema });
    bDb = createFederationDb({ databaseUrl: b.config.databaseUrl, schema: b.config.dbSchema });
  }, 60_000);

  afterAll(async () => {
    for (const p of processes) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await aDb?.$disconnect();
    await bDb?.$disconnect();
    await b?.close();
    await a?.close();
  });

  it('kill -9 between the commit and the enqueue: after a restart Bob receives the post once', async () => {
    const port = await freePort();
    const doomed = await spawnFederation({
      ...a.config,
      workers: false,
      http: { ...a.config.http, port },
      faultPoint: 'after-store',
    });
    processes.push(doomed);
    const exited = new Promise((resolve) => doomed.child.once('exit', resolve));
    const res = await apiClient(port)(ALICE, 'POST', '/api/actions', {
      token: a.tokens[ALICE],
      body: { type: 'POST', content: 'said just before the lights went out' },
    }).catch((error: unknown) => error);
    // The process died mid-request: no answer, the connection dropped.
    expect(String(res)).toMatch(/socket hang up|ECONNRESET/);
    await exited;
    const stored = await aDb.action.findMany({ where: { issuer: ALICE, type: 'POST' } });
    expect(stored.map((s) => s.status)).toEqual(['A']);
    const actionId = stored[0]?.actionId ?? '';

    const restarted = await spawnFederation({
      ...a.config,
      workers: true,
      http: { ...a.config.http, port: await freePort() },
    });
    processes.push(restarted);
    const atBob = () => bDb.action.findMany({ where: { actionId } });
    await waitFor(async () => (await atBob())[0]?.status === 'A', 60_000, 'the post at Bob');
    // A while longer: no second row, no second fan-out.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect((await atBob()).map((r) => r.status)).toEqual(['A']);
    expect(await aDb.action.count({ where: { actionId, fanoutSince: { not: null } } })).toBe(0);
  }, 120_000);
});
