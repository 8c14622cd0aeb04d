import { testInfra, uniqueName } from '@cloudillo/testing';
import { Queue, QueueEvents, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { Client as MinioClient } from 'minio';
import { AckPolicy, connect, type NatsConnection } from 'nats';
import { Client as PgClient } from 'pg';

/**
 * The backing services exactly as scripts/infra starts them, with the settings the platform relies
 * on: Postgres on loopback, Redis that never evicts (BullMQ), NATS with JetStream, and an S3 store
 * that checks signatures.
 */
describe('backing services started by scripts/infra', () => {
  const infra = testInfra();

  it('Postgres answers and lets the app role create schemas', async () => {
    const pg = new PgClient({ connectionString: infra.databaseUrl });
    await pg.connect();
    try {
      const schema = uniqueName('probe');
      await pg.query(`create schema "${schema}"`);
      await pg.query(`drop schema "${schema}"`);
      const { rows } = await pg.query<{ v: number }>(
        "select current_setting('server_version_num')::int as v",
      );
      expect(rows[0]!.v).toBeGreaterThanOrEqual(150000);
    } finally {
      await pg.end();
    }
  });

  it('Redis never evicts and runs a BullMQ job end to end', async () => {
    const redis = new IORedis(infra.redisUrl, { maxRetriesPerRequest: null });
    const { hostname, port } = new URL(infra.redisUrl);
    // Connection options rather than clients: BullMQ then owns, and closes, its connections.
    const connection = { host: hostname, port: Number(port), maxRetriesPerRequest: null };
    const name = uniqueName('probe');
    const queue = new Queue(name, { connection });
    const events = new QueueEvents(name, { connection });
    const worker = new Worker(
      name,
      async (job) => ({ doubled: (job.data as { n: number }).n * 2 }),
      {
        connection,
      },
    );
    try {
      expect(await redis.config('GET', 'maxmemory-policy')).toEqual([
        'maxmemory-policy',
        'noeviction',
      ]);
      await events.waitUntilReady();
      const job = await queue.add('double', { n: 21 });
      await expect(job.waitUntilFinished(events, 10_000)).resolves.toEqual({ doubled: 42 });
    } finally {
      await worker.close();
      await events.close();
      await queue.obliterate({ force: true });
      await queue.close();
      redis.disconnect();
    }
  });

  it('NATS has JetStream: a stream stores and a consumer replays', async () => {
    const nc: NatsConnection = await connect({ servers: infra.natsUrl });
    const stream = uniqueName('PROBE').toUpperCase();
    try {
      const jsm = await nc.jetstreamManager();
      await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
      const js = nc.jetstream();
      await js.publish(`${stream}.x`, new TextEncoder().encode('hello'));
      await jsm.consumers.add(stream, { durable_name: 'probe', ack_policy: AckPolicy.Explicit });
      const consumer = await js.consumers.get(stream, 'probe');
      const message = await consumer.next({ expires: 5_000 });
      expect(new TextDecoder().decode(message?.data)).toBe('hello');
      message?.ack();
      await jsm.streams.delete(stream);
    } finally {
      await nc.drain();
    }
  });

  it('the S3 store keeps objects, serves ranges, and rejects a wrong signature', async () => {
    const url = new URL(infra.s3.endpoint);
    const options = {
      endPoint: url.hostname,
      port: Number(url.port),
      useSSL: url.protocol === 'https:',
      region: infra.s3.region,
      pathStyle: true,
    };
    const s3 = new MinioClient({
      ...options,
      accessKey: infra.s3.accessKey,
      secretKey: infra.s3.secretKey,
    });
    const bucket = uniqueName('probe').replace(/_/g, '-');
    await s3.makeBucket(bucket, infra.s3.region);
    try {
      await s3.putObject(bucket, 'hello.txt', Buffer.from('hello, world'));
      const range = await s3.getPartialObject(bucket, 'hello.txt', 7, 5);
      const chunks: Buffer[] = [];
      for await (const chunk of range) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).toString()).toBe('world');
      const forged = new MinioClient({
        ...options,
        accessKey: infra.s3.accessKey,
        secretKey: 'wrong-secret-key-000000000000000000000',
      });
      await expect(forged.statObject(bucket, 'hello.txt')).rejects.toThrow();
      await expect(forged.putObject(bucket, 'evil.txt', Buffer.from('x'))).rejects.toMatchObject({
        code: 'SignatureDoesNotMatch',
      });
    } finally {
      await s3.removeObject(bucket, 'hello.txt');
      await s3.removeBucket(bucket);
    }
  });
});
