import { Injectable } from '@nestjs/common';
import { ContractClient, resolveTenant } from '@cloudillo/contracts';
import { isAppError, NotFoundError } from '@cloudillo/protocol';

/** This deployment's tenants, as identity knows them (an id_tag that is not ours is 404). */
@Injectable()
export class TenantDirectory {
  constructor(private readonly rpc: ContractClient) {}

  async tnId(idTag: string): Promise<number> {
    try {
      const tenant = await this.rpc.request(resolveTenant, { idTag });
      if (tenant.status === 'X') throw new NotFoundError(`unknown tenant ${idTag}`);
      return tenant.tnId;
    } catch (error) {
      if (isAppError(error) && error.code === 'E-CORE-NOTFOUND')
        throw new NotFoundError(`unknown tenant ${idTag}`);
      throw error;
    }
  }
}
