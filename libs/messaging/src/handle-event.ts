import { applyDecorators, Logger, type PipeTransform, UsePipes } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import { type EventContract } from '@cloudillo/contracts';
import { ValidationError } from '@cloudillo/protocol';

const logger = new Logger('HandleEvent');

class ContractEventPipe implements PipeTransform {
  constructor(private readonly contract: EventContract) {}

  transform(value: unknown): unknown {
    const parsed = this.contract.payload.safeParse(value);
    if (!parsed.success) {
      logger.warn(`dropped a malformed ${this.contract.subject} event`);
      throw new ValidationError(`invalid ${this.contract.subject} event`, parsed.error.issues);
    }
    return parsed.data;
  }
}

/**
 * Binds a NATS event handler to a contract. Events reach one replica of the service (its queue
 * group); a payload that does not fit the schema is dropped, never handled. Handlers must be
 * idempotent: events may be announced again.
 */
export function HandleEvent(contract: EventContract): MethodDecorator {
  return applyDecorators(EventPattern(contract.subject), UsePipes(new ContractEventPipe(contract)));
}
