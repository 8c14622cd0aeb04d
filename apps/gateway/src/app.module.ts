import { type DynamicModule, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ContractClient } from '@cloudillo/contracts';
import { followTenantChanges, HealthController, identityTenantSource } from '@cloudillo/http';
import { MessagingModule } from '@cloudillo/messaging';
import { RateLimiter } from '@cloudillo/rate-limit';
import { TenantResolver } from '@cloudillo/tenancy';
import { profileChanged } from '@cloudillo/contracts';
import { Redis } from 'ioredis';

import { type GatewayConfig } from './config';
import { gatewayReadiness } from './health/readiness';
import { GatewayEdge } from './proxy/gateway-edge';
import { GATEWAY_CONFIG, GATEWAY_REDIS } from './tokens';

class RedisLifecycle implements OnApplicationShutdown {
  constructor(@Inject(GATEWAY_REDIS) private readonly redis: Redis) {}
  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

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
          provide: TenantResolver,
          inject: [ContractClient],
          useFactory: (rpc: ContractClient) => new TenantResolver(identityTenantSource(rpc)),
        },
        {
          provide: GATEWAY_REDIS,
          useFactory: () => new Redis(config.redisUrl, { lazyConnect: false }),
        },
        RedisLifecycle,
        {
          provide: GatewayEdge,
          inject: [ContractClient, TenantResolver, GATEWAY_REDIS],
          useFactory: (rpc: ContractClient, tenants: TenantResolver, redis: Redis) => {
            const edge = new GatewayEdge(
              config,
              tenants,
              config.rateLimits ? new RateLimiter(redis, config.rateLimits) : undefined,
            );
            // For the process's life (they end with its NATS connection): a changed tenant is
            // resolved again, and what the gateway kept of its answers is dropped.
            const forget = ({ tnId }: { tnId: number }) => edge.forgetAnswersOf(tnId);
            followTenantChanges(rpc, tenants, forget);
            rpc.subscribe(profileChanged, forget);
            return edge;
          },
        },
      ],
    };
  }
}
