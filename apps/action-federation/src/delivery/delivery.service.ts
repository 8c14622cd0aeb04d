import { Injectable } from '@nestjs/common';
import { PeerClient } from '@cloudillo/peer-client';
import { z } from 'zod';

export interface DeliveryJob {
  actionId: string;
  recipient: string;
  token: string;
  related?: string[];
}

/** Any 2xx counts (protocol §2.6); the body is not read beyond being JSON. */
const anyReply = z.unknown();

/** Sends one action to one recipient's inbox; a failure is thrown for the queue to retry. */
@Injectable()
export class DeliveryService {
  constructor(private readonly peers: PeerClient) {}

  async deliver(job: DeliveryJob): Promise<void> {
    await this.peers.postJson(
      job.recipient,
      '/api/inbox',
      { token: job.token, ...(job.related?.length ? { related: job.related } : {}) },
      anyReply,
    );
  }
}
