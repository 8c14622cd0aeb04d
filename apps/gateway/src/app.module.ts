import { type DynamicModule, Module } from '@nestjs/common';
import { ContractClient } from '@cloudillo/contracts';
import { HealthController } from '@cloudillo/http';
import { MessagingModule } from '@cloudillo/messaging';

import { type GatewayConfig } from './config';
import { gatewayReadiness } from './health/readiness';
import { GatewayEdge } from './proxy/gateway-edge';
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
        gatewayReadiness,
        {
          provide: TenantDirectory,
          inject: [ContractClient],
          useFactory: (rpc: ContractClient) => new TenantDirectory(rpc),
        },
        {
          provide: GatewayEdge,
          inject: [TenantDirectory],
          useFactory: (tenants: TenantDirectory) => new GatewayEdge(config, tenants),
        },
      ],
    };
  }
}
