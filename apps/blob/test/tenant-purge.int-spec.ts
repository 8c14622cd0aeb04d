import { resolveTenant, tenantPurged } from '@cloudillo/contracts';
import { contentId } from '@cloudillo/crypto';
import { dataOf, testInfra, waitFor } from '@cloudillo/testing';
import { Client } from 'pg';

import { type BlobStack, startBlobStack } from './blob-stack';

const ALICE = 'alice.localhost';
const CAROL = 'carol.localhost';

describe('tenant purge: the blob service’s part of the saga', () => {
  let stack: BlobStack;
  let pg: Client;

  beforeAll(async () => {
    stack = await startBlobStack({ tenants: [ALICE, CAROL] });
    pg = new Client({ connectionString: testInfra().databaseUrl });
    await pg.connect();
  });

  afterAll(async () => {
    await pg?.end();
    await stack?.close();
  });

  const as = (idTag: string, method: string, path: string, body?: unknown) =>
    stack.call(idTag, method, path, {
      token: stack.tokens[idTag],
      ...(body === undefined ? {} : { body }),
    });
  const upload = async (idTag: string, name: string, body: unknown) => {
    const res = await as(idTag, 'POST', `/api/files/file/${name}`, body);
    expect(res.status).toBe(201);
    return dataOf<{ fileId: string }>(res).fileId;
  };
  /** Whether the store still has a blob row for these exact bytes. */
  const blobKept = async (body: unknown) => {
    const blobId = contentId('b', Buffer.from(JSON.stringify(body)));
    const { rows } = await pg.query(
      `select 1 from "${stack.config.dbSchema}".blobs where blob_id = $1`,
      [blobId],
    );
    return rows.length === 1;
  };

  it('deletes the purged tenant’s files and the bytes only it used; another tenant’s copy stays', async () => {
    const shared = { note: 'the same bytes at two tenants' };
    const own = { note: 'only carol has these bytes' };
    const alicesCopy = await upload(ALICE, 'shared.json', shared);
    await upload(CAROL, 'shared.json', shared);
    await upload(CAROL, 'own.json', own);
    expect([await blobKept(shared), await blobKept(own)]).toEqual([true, true]);

    const { tnId } = await stack.identity.rpc.request(resolveTenant, { idTag: CAROL });
    await stack.identity.rpc.publish(tenantPurged, { idTag: CAROL, tnId });

    await waitFor(async () => !(await blobKept(own)), 10_000, 'carol’s own bytes gone');
    // (Her sessions are revoked by access-token's part of the saga: the rows are looked at.)
    const { rows } = await pg.query(
      `select count(*)::int as n from "${stack.config.dbSchema}".files where tn_id = $1`,
      [tnId],
    );
    expect(rows[0]).toEqual({ n: 0 });
    expect(await blobKept(shared)).toBe(true);
    const copy = await as(ALICE, 'GET', `/api/files/${alicesCopy}`);
    expect([copy.status, copy.json]).toEqual([200, shared]);
  });
});
