import { Controller } from '@nestjs/common';
import { createAction, type HandlerInput, type HandlerReply } from '@cloudillo/contracts';
import { HandleRequest } from '@cloudillo/messaging';

import { ActionsService } from './actions.service';

/** `action-federation.action.create.v1`: an action another service has a tenant send. */
@Controller()
export class ActionsHandler {
  constructor(private readonly actions: ActionsService) {}

  @HandleRequest(createAction)
  async create({
    tenant,
    ...action
  }: HandlerInput<typeof createAction>): Promise<HandlerReply<typeof createAction>> {
    const { actionId } = await this.actions.create(tenant, action);
    return { actionId };
  }
}
