import { AppError, ValidationError } from '@cloudillo/protocol';
import { type z } from 'zod';

import { type EventContract, type RequestContract } from './define';
import { fromRpcError } from './rpc-error';

/** The wire under a ContractClient (NATS in services, an in-memory pair in unit tests). */
export interface RpcTransport {
  /** Resolves with the reply payload, or rejects with whatever error payload the handler sent. */
  request(subject: string, payload: unknown, timeoutMs: number): Promise<unknown>;
  publish(subject: string, payload: unknown): Promise<void>;
}

/**
 * Typed requests and events: inputs are checked before they leave, replies are parsed before they
 * are trusted, and handler errors come back as the AppError the handler threw.
 */
export class ContractClient {
  constructor(private readonly transport: RpcTransport) {}

  async request<Req extends z.ZodType, Res extends z.ZodType>(
    contract: RequestContract<Req, Res>,
    input: z.input<Req>,
  ): Promise<z.output<Res>> {
    const payload = contract.request.safeParse(input);
    if (!payload.success) {
      throw new ValidationError(`invalid ${contract.subject} request`, payload.error.issues);
    }
    let reply: unknown;
    try {
      reply = await this.transport.request(contract.subject, payload.data, contract.timeoutMs);
    } catch (error) {
      throw fromRpcError(error) ?? error;
    }
    const parsed = contract.response.safeParse(reply);
    if (!parsed.success) {
      throw new AppError('E-SYS-INTERNAL', `malformed ${contract.subject} reply`, {
        details: parsed.error.issues,
      });
    }
    return parsed.data;
  }

  async publish<P extends z.ZodType>(
    contract: EventContract<P>,
    payload: z.input<P>,
  ): Promise<void> {
    await this.transport.publish(contract.subject, contract.payload.parse(payload));
  }
}
