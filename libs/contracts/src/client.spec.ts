import { AppError, NotFoundError } from '@cloudillo/protocol';
import { z } from 'zod';

import { ContractClient, type RpcTransport } from './client';
import { defineEvent, defineRequest } from './define';
import { resolveTenant } from './identity/resolve-tenant';
import { toRpcError } from './rpc-error';

const subscribers: { subject: string; onMessage: (payload: unknown) => void }[] = [];

/** A loopback transport: handlers run in-process, errors travel in their wire form. */
function loopback(
  handlers: Record<string, (payload: unknown) => unknown>,
  published: unknown[] = [],
): RpcTransport {
  return {
    async request(subject, payload) {
      try {
        return await handlers[subject]!(JSON.parse(JSON.stringify(payload)));
      } catch (error) {
        throw toRpcError(error);
      }
    },
    async publish(subject, payload) {
      published.push({ subject, payload });
    },
    subscribe(subject, onMessage) {
      subscribers.push({ subject, onMessage });
      return () =>
        subscribers.splice(
          subscribers.findIndex((s) => s.onMessage === onMessage),
          1,
        );
    },
  };
}

describe('ContractClient', () => {
  const tenant = { tnId: 1, idTag: 'demo.localhost', type: 'person', status: 'A' };

  it('sends the canonical request and parses the reply', async () => {
    const seen: unknown[] = [];
    const client = new ContractClient(
      loopback({ [resolveTenant.subject]: (p) => (seen.push(p), tenant) }),
    );
    await expect(client.request(resolveTenant, { idTag: 'demo.localhost' })).resolves.toEqual(
      tenant,
    );
    expect(seen).toEqual([{ idTag: 'demo.localhost' }]);
  });

  it('refuses a bad request before it leaves', async () => {
    const handler = jest.fn();
    const client = new ContractClient(loopback({ [resolveTenant.subject]: handler }));
    await expect(client.request(resolveTenant, { idTag: 'Not Valid' })).rejects.toMatchObject({
      code: 'E-VAL-INVALID',
    });
    expect(handler).not.toHaveBeenCalled();
  });

  it('re-throws the handler error as the same typed AppError', async () => {
    const client = new ContractClient(
      loopback({
        [resolveTenant.subject]: () => {
          throw new NotFoundError('no such tenant');
        },
      }),
    );
    const error = await client
      .request(resolveTenant, { idTag: 'nobody.localhost' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({
      code: 'E-CORE-NOTFOUND',
      status: 404,
      message: 'no such tenant',
    });
  });

  it('hides unexpected handler errors and passes transport errors through', async () => {
    const hidden = new ContractClient(
      loopback({
        [resolveTenant.subject]: () => {
          throw new Error('password=hunter2');
        },
      }),
    );
    await expect(hidden.request(resolveTenant, { idTag: 'demo.localhost' })).rejects.toMatchObject({
      code: 'E-SYS-INTERNAL',
      message: 'internal error',
    });
    const down = new ContractClient({
      request: () => Promise.reject(new Error('no responders')),
      publish: () => Promise.resolve(),
      subscribe: () => () => undefined,
    });
    await expect(down.request(resolveTenant, { idTag: 'demo.localhost' })).rejects.toThrow(
      'no responders',
    );
  });

  it('refuses a malformed reply', async () => {
    const client = new ContractClient(
      loopback({ [resolveTenant.subject]: () => ({ tnId: 'one' }) }),
    );
    await expect(client.request(resolveTenant, { idTag: 'demo.localhost' })).rejects.toMatchObject({
      code: 'E-SYS-INTERNAL',
    });
  });

  it('validates event payloads before publishing', async () => {
    const published: unknown[] = [];
    const keyRotated = defineEvent({
      subject: 'identity.key.rotated.v1',
      payload: z.object({ idTag: z.string() }),
    });
    const client = new ContractClient(loopback({}, published));
    await client.publish(keyRotated, { idTag: 'demo.localhost' });
    expect(published).toEqual([
      { subject: 'identity.key.rotated.v1', payload: { idTag: 'demo.localhost' } },
    ]);
    await expect(client.publish(keyRotated, { idTag: 1 } as never)).rejects.toThrow();
  });

  it('hands subscribers only events that fit the contract', () => {
    const changed = defineEvent({
      subject: 'access-token.keys.changed.v1',
      payload: z.object({ kid: z.string() }),
    });
    const client = new ContractClient(loopback({}));
    const seen: unknown[] = [];
    const invalid: unknown[] = [];
    const unsubscribe = client.subscribe(
      changed,
      (p) => seen.push(p),
      (i) => invalid.push(i),
    );
    const deliver = (payload: unknown) =>
      subscribers.filter((s) => s.subject === changed.subject).forEach((s) => s.onMessage(payload));
    deliver({ kid: 'a' });
    deliver({ kid: 1 });
    expect(seen).toEqual([{ kid: 'a' }]);
    expect(invalid).toHaveLength(1);
    unsubscribe();
    deliver({ kid: 'b' });
    expect(seen).toHaveLength(1);
    client.subscribe(changed, (p) => seen.push(p))();
  });

  it('insists on <owner>.<resource>.<action>.v<N> subjects and explicit timeouts', () => {
    expect(() =>
      defineRequest({ subject: 'getThing', request: z.any(), response: z.any() }),
    ).toThrow();
    expect(() => defineEvent({ subject: 'blob.file.created.v0', payload: z.any() })).toThrow();
    expect(
      defineRequest({ subject: 'blob.object.get.v1', request: z.any(), response: z.any() })
        .timeoutMs,
    ).toBe(5000);
    expect(resolveTenant.timeoutMs).toBe(2000);
  });
});
