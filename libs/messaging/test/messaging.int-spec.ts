import { Controller, type INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ContractClient, defineEvent, defineRequest } from '@cloudillo/contracts';
import { AppError, NotFoundError, idTagSchema } from '@cloudillo/protocol';
import { testInfra, uniqueName, waitFor } from '@cloudillo/testing';
import { connect, type NatsConnection } from 'nats';
import { z } from 'zod';

import { HandleRequest, NatsRpcTransport, natsMicroservice } from '../src';

// Unique subjects per run, so parallel test files and reruns never answer each other.
const svc = uniqueName('svc').replace(/_/g, '-');
const echo = defineRequest({
  subject: `${svc}.tenant.echo.v1`,
  request: z.object({
    idTag: idTagSchema,
    fail: z.enum(['none', 'notfound', 'crash']).default('none'),
  }),
  response: z.object({ idTag: z.string(), replica: z.string() }),
  timeoutMs: 2_000,
});
const absent = defineRequest({
  subject: `${svc}.nobody.home.v1`,
  request: z.object({}),
  response: z.object({}),
});

function replicaController(replica: string) {
  @Controller()
  class EchoController {
    @HandleRequest(echo)
    handle(input: z.output<typeof echo.request>) {
      if (input.fail === 'notfound') throw new NotFoundError(`no tenant ${input.idTag}`);
      if (input.fail === 'crash') throw new Error('secret internals');
      return { idTag: input.idTag, replica };
    }
  }
  @Module({ controllers: [EchoController] })
  class EchoModule {}
  return EchoModule;
}

describe('NATS contracts end to end (real nats-server)', () => {
  const { natsUrl } = testInfra();
  let replicas: INestMicroservice[];
  let nc: NatsConnection;
  let client: ContractClient;

  beforeAll(async () => {
    replicas = await Promise.all(
      ['a', 'b'].map(async (name) => {
        const app = await NestFactory.createMicroservice(replicaController(name), {
          ...natsMicroservice(natsUrl, svc),
          logger: false,
        });
        await app.listen();
        return app;
      }),
    );
    nc = await connect({ servers: natsUrl });
    client = new ContractClient(new NatsRpcTransport(nc));
  });

  afterAll(async () => {
    await nc?.drain();
    await Promise.all((replicas ?? []).map((app) => app.close()));
  });

  it('round-trips a typed request with the canonical input', async () => {
    await expect(client.request(echo, { idTag: 'bücher.example' })).resolves.toMatchObject({
      idTag: 'xn--bcher-kva.example',
    });
  });

  it('spreads requests over the replicas of the queue group', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++)
      seen.add((await client.request(echo, { idTag: 'demo.localhost' })).replica);
    expect([...seen].sort()).toEqual(['a', 'b']);
  });

  it('re-throws the handler AppError with its code and status', async () => {
    const error = await client
      .request(echo, { idTag: 'demo.localhost', fail: 'notfound' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({
      code: 'E-CORE-NOTFOUND',
      status: 404,
      message: 'no tenant demo.localhost',
    });
  });

  it('hides the message of an unexpected handler error', async () => {
    await expect(
      client.request(echo, { idTag: 'demo.localhost', fail: 'crash' }),
    ).rejects.toMatchObject({
      code: 'E-SYS-INTERNAL',
      message: 'internal error',
    });
  });

  it('validates on the server too: a raw malformed message gets E-VAL-INVALID', async () => {
    const raw = new ContractClient(new NatsRpcTransport(nc));
    const unchecked = { ...echo, request: z.any() };
    await expect(raw.request(unchecked, { idTag: 'NOT VALID' })).rejects.toMatchObject({
      code: 'E-VAL-INVALID',
      status: 400,
    });
  });

  it('fails at once with E-SYS-UNAVAIL when no service listens', async () => {
    const started = Date.now();
    await expect(client.request(absent, {})).rejects.toMatchObject({
      code: 'E-SYS-UNAVAIL',
      status: 503,
    });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('delivers each event to every subscriber, and only events that fit the contract', async () => {
    const happened = defineEvent({
      subject: `${svc}.thing.happened.v1`,
      payload: z.object({ n: z.number() }),
    });
    const other = await connect({ servers: natsUrl });
    try {
      const second = new ContractClient(new NatsRpcTransport(other));
      const seen: string[] = [];
      const invalid: unknown[] = [];
      const stopA = client.subscribe(happened, ({ n }) => seen.push(`a${n}`));
      const stopB = second.subscribe(
        happened,
        ({ n }) => seen.push(`b${n}`),
        (i) => invalid.push(i),
      );
      await other.flush();
      await client.publish(happened, { n: 1 });
      // Unflushed: resolves when buffered, and the buffer still goes out on its own.
      await client.publish(happened, { n: 2 }, { flush: false });
      other.publish(happened.subject, new TextEncoder().encode('{"data":{"n":"x"}}'));
      other.publish(happened.subject, new TextEncoder().encode('not json'));
      await waitFor(async () => seen.length === 4 && invalid.length === 1);
      expect(seen.sort()).toEqual(['a1', 'a2', 'b1', 'b2']);
      stopA();
      stopB();
    } finally {
      await other.drain();
    }
  });
});
