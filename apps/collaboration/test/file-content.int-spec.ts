import { resolveTenant, tenantPurged } from '@cloudillo/contracts';
import { dataOf, waitFor } from '@cloudillo/testing';
import * as Y from 'yjs';

// eslint-disable-next-line @nx/enforce-module-boundaries
import { bytesCall } from '../../blob/test/bytes-call';
import { UpdateLogRepository } from '../src/crdt/update-log.repository';
import { type CollabStack, startCollabStack } from './collab-stack';
import { type DocClient, openDoc } from './crdt-clients';
import { RtdbTestClient } from './rtdb-client';

const ALICE = 'alice.localhost';
const BOB = 'bob.localhost';

describe('documents and databases as files: duplicate, export, modifiedAt, purge', () => {
  let stack: CollabStack;
  const docs: DocClient[] = [];
  const dbs: RtdbTestClient[] = [];

  beforeAll(async () => {
    stack = await startCollabStack({ tenants: [ALICE, BOB] });
  });
  afterEach(() => {
    for (const d of docs.splice(0)) d.close();
    for (const d of dbs.splice(0)) d.close();
  });
  afterAll(() => stack?.close());

  const as = (idTag: string, method: string, path: string, body?: unknown) =>
    stack.call(idTag, method, path, {
      token: stack.tokens[idTag],
      ...(body === undefined ? {} : { body }),
    });
  const openText = async (fileId: string, idTag = ALICE) => {
    const client = await openDoc(stack.gatewayPort, idTag, fileId, {
      token: stack.tokens[idTag] ?? '',
    });
    docs.push(client);
    return client;
  };
  const openDb = async (fileId: string) => {
    const client = await RtdbTestClient.open(
      stack.gatewayPort,
      ALICE,
      fileId,
      `token=${stack.tokens[ALICE]}`,
    );
    dbs.push(client);
    return client;
  };
  /** The raw export, as a migration tool would fetch it (bytes, not text). */
  const exportOf = async (fileId: string, idTag = ALICE) => {
    const res = await bytesCall(stack, idTag, 'GET', `/api/collab/files/${fileId}/state`);
    return { ...res, type: res.headers['content-type'] };
  };

  it('duplicates a document: the copy has the content and lives on its own', async () => {
    const original = await stack.createFile(ALICE, 'CRDT');
    const editor = await openText(original);
    editor.text.insert(0, 'shared start');
    await waitFor(async () => (await exportOf(original)).body.length > 2);
    const res = await as(ALICE, 'POST', `/api/files/${original}/duplicate`, { fileName: 'Copy' });
    expect(res.status).toBe(201);
    const copyId = dataOf<{ fileId: string }>(res).fileId;
    expect(copyId).toMatch(/^[A-Za-z0-9]{24}$/);
    const copy = await openText(copyId);
    expect(copy.text.toString()).toBe('shared start');
    copy.text.insert(0, 'copy: ');
    editor.text.insert(0, 'original: ');
    const again = await openText(copyId);
    await waitFor(async () => again.text.toString() === 'copy: shared start');
    expect(editor.text.toString()).toBe('original: shared start');
    expect(
      dataOf<{ fileName: string; fileTp: string }>(
        await as(ALICE, 'GET', `/api/files/${copyId}/metadata`),
      ),
    ).toMatchObject({
      fileName: 'Copy',
      fileTp: 'CRDT',
    });
  });

  it('duplicates a database with all its documents', async () => {
    const original = await stack.createFile(ALICE, 'RTDB');
    const db = await openDb(original);
    await db.request({
      type: 'transaction',
      operations: [
        { type: 'create', path: 'rows', data: { n: 1 } },
        { type: 'create', path: 'rows', data: { n: 2 } },
      ],
    });
    const res = await as(ALICE, 'POST', `/api/files/${original}/duplicate`);
    expect(res.status).toBe(201);
    const copy = await openDb(dataOf<{ fileId: string }>(res).fileId);
    const rows = await copy.request({
      type: 'query',
      path: 'rows',
      sort: [{ field: 'n', ascending: true }],
    });
    expect(rows).toMatchObject({ type: 'queryResult', data: [{ n: 1 }, { n: 2 }] });
    const names = dataOf<{ fileName: string }[]>(await as(ALICE, 'GET', '/api/files')).map(
      (f) => f.fileName,
    );
    expect(names.filter((n) => n.endsWith(' (copy)'))).toHaveLength(1);
  });

  it('refuses to duplicate folders, other tenants’ files and unknown ones, leaving nothing behind', async () => {
    const before = dataOf<unknown[]>(await as(ALICE, 'GET', '/api/files')).length;
    const folder = await stack.createFile(ALICE, 'FLDR');
    expect((await as(ALICE, 'POST', `/api/files/${folder}/duplicate`)).status).toBe(400);
    const alices = await stack.createFile(ALICE, 'CRDT');
    expect((await as(BOB, 'POST', `/api/files/${alices}/duplicate`)).status).toBe(404);
    expect((await as(ALICE, 'POST', `/api/files/${'B'.repeat(24)}/duplicate`)).status).toBe(404);
    expect((await as(ALICE, 'POST', `/api/files/${alices}/duplicate`, { extra: 1 })).status).toBe(
      400,
    );
    expect(dataOf<unknown[]>(await as(ALICE, 'GET', '/api/files')).length).toBe(before + 2);
  });

  it('exports a document as one Yjs update and a database as JSON', async () => {
    const doc = await stack.createFile(ALICE, 'CRDT');
    const editor = await openText(doc);
    editor.text.insert(0, 'exported');
    await waitFor(async () => {
      const res = await exportOf(doc);
      const ydoc = new Y.Doc();
      Y.applyUpdate(ydoc, new Uint8Array(res.body));
      return ydoc.getText('t').toString() === 'exported';
    });
    const res = await exportOf(doc);
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/octet-stream');

    const dbId = await stack.createFile(ALICE, 'RTDB');
    const db = await openDb(dbId);
    await db.request({
      type: 'transaction',
      operations: [{ type: 'replace', path: 'cfg/main', data: { on: true } }],
    });
    const json = await as(ALICE, 'GET', `/api/collab/files/${dbId}/state`);
    expect(json.json).toEqual({ data: [{ path: 'cfg/main', data: { on: true } }] });
    // Another tenant's token, or none: nothing.
    expect(
      (
        await stack.call(ALICE, 'GET', `/api/collab/files/${dbId}/state`, {
          token: stack.tokens[BOB],
        })
      ).status,
    ).toBe(401);
    expect((await stack.call(ALICE, 'GET', `/api/collab/files/${dbId}/state`)).status).toBe(401);
    expect(
      (
        await stack.call(BOB, 'GET', `/api/collab/files/${dbId}/state`, {
          token: stack.tokens[BOB],
        })
      ).status,
    ).toBe(404);
  });

  it('moves the file’s modifiedAt when its document or database is written', async () => {
    const modifiedAt = async (fileId: string) =>
      Date.parse(
        dataOf<{ modifiedAt: string }>(await as(ALICE, 'GET', `/api/files/${fileId}/metadata`))
          .modifiedAt,
      );
    const doc = await stack.createFile(ALICE, 'CRDT');
    const created = await modifiedAt(doc);
    await new Promise((r) => setTimeout(r, 20));
    (await openText(doc)).text.insert(0, 'x');
    await waitFor(async () => (await modifiedAt(doc)) > created, 10_000, 'document modifiedAt');
    const dbId = await stack.createFile(ALICE, 'RTDB');
    const dbCreated = await modifiedAt(dbId);
    await new Promise((r) => setTimeout(r, 20));
    await (
      await openDb(dbId)
    ).request({ type: 'transaction', operations: [{ type: 'create', path: 'a', data: {} }] });
    await waitFor(async () => (await modifiedAt(dbId)) > dbCreated, 10_000, 'database modifiedAt');
  });

  it('a purged tenant’s documents and databases are gone and its sockets closed', async () => {
    const doc = await stack.createFile(BOB, 'CRDT');
    const editor = await openText(doc, BOB);
    editor.text.insert(0, 'bob');
    const tenant = await stack.identity.rpc.request(resolveTenant, { idTag: BOB });
    let closed: number | undefined;
    editor.provider.ws?.addEventListener('close', (event) => (closed = event.code));
    await stack.identity.rpc.publish(tenantPurged, { idTag: BOB, tnId: tenant.tnId });
    await waitFor(async () => closed !== undefined, 10_000, 'socket closed');
    const log = stack.collaboration.get(UpdateLogRepository);
    await waitFor(
      async () => (await log.load({ tnId: tenant.tnId, docId: doc })).state.byteLength === 0,
      10_000,
      'stored document gone',
    );
  });
});
