import { Controller, Inject } from '@nestjs/common';
import { type HandlerReply, revokedSessions } from '@cloudillo/contracts';
import { HandleRequest } from '@cloudillo/messaging';

import { CLOCK, type Clock } from '../tokens';
import { SessionsRepository } from './sessions.repository';

@Controller()
export class SessionsHandler {
  constructor(
    private readonly sessions: SessionsRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @HandleRequest(revokedSessions)
  async listRevoked(): Promise<HandlerReply<typeof revokedSessions>> {
    return { sessions: await this.sessions.listRevoked(this.clock()) };
  }
}
