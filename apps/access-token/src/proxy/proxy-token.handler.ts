import { Controller } from '@nestjs/common';
import { type HandlerInput, type HandlerReply, issueProxyToken } from '@cloudillo/contracts';
import { HandleRequest } from '@cloudillo/messaging';

import { ProxyTokenService } from './proxy-token.service';

/** Tokens at peers for other services (the tenant's own user asks through `/api/auth/proxy-token`). */
@Controller()
export class ProxyTokenHandler {
  constructor(private readonly proxyTokens: ProxyTokenService) {}

  @HandleRequest(issueProxyToken)
  async issue({
    tenant,
    peer,
  }: HandlerInput<typeof issueProxyToken>): Promise<HandlerReply<typeof issueProxyToken>> {
    const { token } = await this.proxyTokens.tokenAt(tenant, peer);
    return { token };
  }
}
