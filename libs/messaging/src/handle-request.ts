import { applyDecorators, type PipeTransform, UseFilters, UsePipes } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { type RequestContract } from '@cloudillo/contracts';
import { ValidationError } from '@cloudillo/protocol';

import { RpcErrorFilter } from './rpc-error.filter';

class ContractRequestPipe implements PipeTransform {
  constructor(private readonly contract: RequestContract) {}

  transform(value: unknown): unknown {
    const parsed = this.contract.request.safeParse(value);
    if (!parsed.success) {
      throw new ValidationError(`invalid ${this.contract.subject} request`, parsed.error.issues);
    }
    return parsed.data;
  }
}

/**
 * Binds a NATS handler to a contract: its subject, its request schema (a message that does not fit
 * is answered E-VAL-INVALID, never handled) and the RPC error mapping.
 */
export function HandleRequest(contract: RequestContract): MethodDecorator {
  return applyDecorators(
    MessagePattern(contract.subject),
    UsePipes(new ContractRequestPipe(contract)),
    UseFilters(new RpcErrorFilter()),
  );
}
