import { testInfra, uniqueName, waitFor } from '@cloudillo/testing';

import { JobQueue } from '../src';

describe('JobQueue on a real Redis', () => {
  const queues: JobQueue<{ n: number }>[] = [];
  afterAll(async () => {
    for (const q of queues) await q.close();
  });

  const open = (
    prefix: string,
    worker: boolean,
    process: (data: { n: number }) => Promise<void>,
  ) => {
    const failed: string[] = [];
    const queue = new JobQueue<{ n: number }>(
      'test.jobs',
      {
        redisUrl: testInfra().redisUrl,
        prefix,
        worker,
        onFailed: (data, error) => failed.push(`${data?.n}: ${error.message}`),
      },
      process,
    );
    queues.push(queue);
    return { queue, failed };
  };

  it('runs what is added, retries a failing job and reports each failed attempt', async () => {
    const prefix = uniqueName('jq').toLowerCase();
    const done: number[] = [];
    let attempts = 0;
    const { queue, failed } = open(prefix, true, async ({ n }) => {
      if (n === 2 && ++attempts < 2) throw new Error('not yet');
      done.push(n);
    });
    await queue.add('job', { n: 1 }, { removeOnComplete: true });
    await queue.add('job', { n: 2 }, { attempts: 3, backoff: { type: 'fixed', delay: 50 } });
    await waitFor(async () => done.length === 2);
    expect(done.sort()).toEqual([1, 2]);
    expect(failed).toEqual(['2: not yet']);
  });

  it('a process without the worker only enqueues; a worker elsewhere takes the jobs', async () => {
    const prefix = uniqueName('jq').toLowerCase();
    const done: number[] = [];
    const { queue: producer } = open(prefix, false, async () => {
      throw new Error('this process must not work the queue');
    });
    await producer.add('job', { n: 7 }, {});
    await new Promise((r) => setTimeout(r, 200));
    expect(done).toEqual([]);
    open(prefix, true, async ({ n }) => {
      done.push(n);
    });
    await waitFor(async () => done.length === 1);
    expect(done).toEqual([7]);
  });
});
