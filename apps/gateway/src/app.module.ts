import { type DynamicModule, Module } from '@nestjs/common';
import { ContractClient } from '@cloudillo/contracts';
import { MessagingModule } from '@cloudillo/messaging';

import { type GatewayConfig } from './config';
import { HealthController } from './health/health.controller';
import { TenantDirectory } from './proxy/tenant-directory';
import { GATEWAY_CONFIG } from './tokens';

@Module({})
export class AppModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [MessagingModule.forRoot({ natsUrl: config.natsUrl, name: 'gateway' })],
      controllers: [HealthController],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: TenantDirectory, inject: [ContractClient], useFactory: (rpc: ContractClient) => new TenantDirectory(rpc) },
      ],
    };
  }
}
