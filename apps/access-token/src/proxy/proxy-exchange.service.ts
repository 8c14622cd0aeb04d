import { Inject, Injectable } from '@nestjs/common';
import { ActionTokenVerifier } from '@cloudillo/action-tokens';
import { ContractClient, rolesAtTenant } from '@cloudillo/contracts';
import { UnauthorizedError } from '@cloudillo/protocol';

import { TokenIssuer } from '../keys/token-issuer';
import { CLOCK, type Clock } from '../tokens';

/** A PROXY token lives 60 s (protocol §4.4); a little skew between nodes is tolerated. */
export const PROXY_TOKEN_TTL_SECONDS = 60;
const SKEW_SECONDS = 30;

/**
 * `GET /api/auth/access-token?token=<PROXY>` (protocol §4.3): a peer node vouches for its user with
 * a signed PROXY action token addressed to this tenant; the user gets an access token here with
 * the roles this tenant gave them (none for strangers).
 */
@Injectable()
export class ProxyExchangeService {
  constructor(
    private readonly verifier: ActionTokenVerifier,
    private readonly issuer: TokenIssuer,
    private readonly rpc: ContractClient,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async exchange(hostTenant: string, proxyToken: string): Promise<{ token: string }> {
    const now = Math.floor(this.clock().getTime() / 1000);
    const claims = await this.verifier.verify(proxyToken, { now, requireExp: true });
    if (claims.t !== 'PROXY') throw new UnauthorizedError('not a PROXY token');
    if (claims.aud !== hostTenant)
      throw new UnauthorizedError('the PROXY token is addressed to another tenant');
    // The tenant's own user logs in; a signature of its key is not a login (it would be owner).
    if (claims.iss === hostTenant) throw new UnauthorizedError('a tenant is no visitor of itself');
    // Short-lived by definition: one that claims to live longer is refused, not trusted longer.
    if (
      (claims.exp ?? 0) > now + PROXY_TOKEN_TTL_SECONDS + SKEW_SECONDS ||
      claims.iat > now + SKEW_SECONDS
    ) {
      throw new UnauthorizedError('a PROXY token lives 60 seconds');
    }
    const { roles } = await this.rpc.request(rolesAtTenant, {
      tenant: hostTenant,
      idTag: claims.iss,
    });
    const { token } = await this.issuer.issue({ tenant: hostTenant, subject: claims.iss, roles });
    return { token };
  }
}
