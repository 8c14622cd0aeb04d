import { randomUUID } from 'node:crypto';

import { type PublishOptions, type RpcTransport } from '@cloudillo/contracts';
import { AppError, UnavailableError } from '@cloudillo/protocol';
import { type NatsConnection, type NatsError } from 'nats';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface NestReply {
  response?: unknown;
  err?: unknown;
}

/**
 * Request/reply over NATS in the packet format of @nestjs/microservices' NATS server
 * (`{pattern, data, id}` → `{response | err, isDisposed}`), but on the nats client's shared reply
 * inbox: no subscription per request, and a missing service fails at once ("no responders")
 * instead of waiting for the timeout.
 */
export class NatsRpcTransport implements RpcTransport {
  constructor(private readonly nc: NatsConnection) {}

  async request(subject: string, payload: unknown, timeoutMs: number): Promise<unknown> {
    const packet = encoder.encode(
      JSON.stringify({ pattern: subject, data: payload, id: randomUUID() }),
    );
    let raw: Uint8Array;
    try {
      raw = (await this.nc.request(subject, packet, { timeout: timeoutMs })).data;
    } catch (error) {
      throw translateNatsError(subject, error as NatsError);
    }
    const reply = JSON.parse(decoder.decode(raw)) as NestReply;
    if (reply.err !== undefined && reply.err !== null) {
      if (typeof reply.err === 'string') throw new UnavailableError(`${subject}: ${reply.err}`);
      throw reply.err;
    }
    return reply.response;
  }

  async publish(subject: string, payload: unknown, options: PublishOptions = {}): Promise<void> {
    this.nc.publish(subject, encoder.encode(JSON.stringify({ pattern: subject, data: payload })));
    // By default resolves once the server has the event: a revocation is out before the HTTP
    // reply is. Without, the client's buffer goes out on its own moments later.
    if (options.flush !== false) await this.nc.flush();
  }

  subscribe(subject: string, onMessage: (payload: unknown) => void): () => void {
    const subscription = this.nc.subscribe(subject, {
      callback: (error, msg) => {
        if (error) return;
        let packet: { data?: unknown };
        try {
          packet = JSON.parse(decoder.decode(msg.data)) as { data?: unknown };
        } catch {
          return; // not our packet format: nothing a subscriber could trust
        }
        onMessage(packet.data);
      },
    });
    return () => subscription.unsubscribe();
  }
}

function translateNatsError(subject: string, error: NatsError): AppError | NatsError {
  if (error.code === '503') return new UnavailableError(`no service answers ${subject}`, error);
  if (error.code === 'TIMEOUT') {
    return new AppError('E-NET-TIMEOUT', `${subject} timed out`, { status: 504, cause: error });
  }
  return new UnavailableError(`${subject} failed: ${error.message}`, error);
}
