import { AppError, ValidationError } from '@cloudillo/protocol';
import { type z } from 'zod';

import { type EventContract, type RequestContract } from './define';
import { fromRpcError } from './rpc-error';

export interface PublishOptions {
  flush?: boolean;
}

/** The wire under a ContractClient (NATS in services, an in-memory pair in unit tests). */
export interface RpcTransport {
  /** Resolves with the reply payload, or rejects with whatever error payload the handler sent. */
  request(subject: string, payload: unknown, timeoutMs: number): Promise<unknown>;
  /**
   * Resolves once the server has the event (`flush`, the default), or as soon as it is buffered
   * (`flush: false`: for high-volume notices where ordering against a reply does not matter).
   */
  publish(subject: string, payload: unknown, options?: PublishOptions): Promise<void>;
  /** Every message on `subject` (no queue group: each subscriber sees each event); returns an unsubscribe. */
  subscribe(subject: string, onMessage: (payload: unknown) => void): () => void;
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
    options?: PublishOptions,
  ): Promise<void> {
    await this.transport.publish(contract.subject, contract.payload.parse(payload), options);
  }

  /**
   * Calls `onEvent` with each event that fits the contract; a message that does not fit is
   * dropped (and reported to `onInvalid`), never handed on. Returns an unsubscribe.
   */
  subscribe<P extends z.ZodType>(
    contract: EventContract<P>,
    onEvent: (payload: z.output<P>) => void,
    onInvalid: (issues: unknown) => void = () => undefined,
  ): () => void {
    return this.transport.subscribe(contract.subject, (raw) => {
      const parsed = contract.payload.safeParse(raw);
      if (parsed.success) onEvent(parsed.data);
      else onInvalid(parsed.error.issues);
    });
  }
}
