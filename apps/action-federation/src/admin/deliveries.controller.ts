import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { Authenticated, ZodPipe } from '@cloudillo/http';
import { NotFoundError, SERVER_ADMIN_ROLE } from '@cloudillo/protocol';
import { type Job } from 'bullmq';
import { z } from 'zod';

import { FederationQueues } from '../delivery/federation-queues';
import { type DeliveryJob } from '../delivery/jobs';

export interface DeadLetter {
  jobId: string;
  actionId: string;
  recipient: string;
  attempts: number;
  reason: string;
  failedAt?: string;
}

const listQuery = z.object({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
const retryBody = z
  .object({ jobIds: z.array(z.string().min(1).max(700)).min(1).max(1000).optional() })
  .strict();

function deadLetter(job: Job<DeliveryJob>): DeadLetter {
  return {
    jobId: job.id ?? '',
    actionId: job.data.actionId,
    recipient: job.data.recipient,
    attempts: job.attemptsMade,
    reason: job.failedReason,
    ...(job.finishedOn ? { failedAt: new Date(job.finishedOn).toISOString() } : {}),
  };
}

/**
 * Deliveries that gave up (attempts spent, or refused by the peer), for the provider's operator
 * (beyond the reference): listed newest first and sent again on demand.
 */
@Controller('api/admin/deliveries')
@Authenticated({ role: SERVER_ADMIN_ROLE })
export class DeliveriesController {
  constructor(private readonly queues: FederationQueues) {}

  @Get()
  async list(
    @Query(new ZodPipe(listQuery)) query: z.output<typeof listQuery>,
  ): Promise<{ items: DeadLetter[]; total: number }> {
    const queue = this.queues.deliveries;
    const [jobs, total] = await Promise.all([
      queue.getFailed(query.offset, query.offset + query.limit - 1),
      queue.getFailedCount(),
    ]);
    return { items: jobs.map(deadLetter), total };
  }

  /** Sends the named dead letters (or the oldest 1000) again, with a fresh set of attempts. */
  @Post('retry')
  @HttpCode(200)
  async retry(
    @Body(new ZodPipe(retryBody)) body: z.output<typeof retryBody>,
  ): Promise<{ retried: number }> {
    const queue = this.queues.deliveries;
    const jobs = body.jobIds
      ? await Promise.all(body.jobIds.map((id) => queue.getJob(id)))
      : await queue.getFailed(0, 999);
    let retried = 0;
    for (const job of jobs) {
      if (!job) {
        if (body.jobIds) throw new NotFoundError('no such delivery');
        continue;
      }
      if ((await job.getState()) !== 'failed') continue;
      // A first-attempt refusal is sent for real this time.
      if (job.data.refused) {
        const { refused: _refused, ...data } = job.data;
        await job.updateData(data);
      }
      await job.retry('failed', { resetAttemptsMade: true });
      retried++;
    }
    return { retried };
  }
}
