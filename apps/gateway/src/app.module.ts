import { type DynamicModule, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ContractClient } from '@cloudillo/contracts';
import { HealthController } from '@cloudillo/http';
import { MessagingModule } from '@cloudillo/messaging';
import { RateLimiter } from '@cloudillo/rate-limit';
import { followTenantChanges, identityTenantSource, TenantResolver } from '@cloudillo/tenancy';
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
          useFactory: (rpc: ContractClient) => {
            const resolver = new TenantResolver(identityTenantSource(rpc));
            followTenantChanges(rpc, resolver); // for the process's life: ends with its NATS connection
            return resolver;
          },
        },
        {
          provide: GATEWAY_REDIS,
          useFactory: () => new Redis(config.redisUrl, { lazyConnect: false }),
        },
        RedisLifecycle,
        {
          provide: GatewayEdge,
          inject: [TenantResolver, GATEWAY_REDIS],
          useFactory: (tenants: TenantResolver, redis: Redis) =>
            new GatewayEdge(
              config,
              tenants,
              config.rateLimits ? new RateLimiter(redis, config.rateLimits) : undefined,
            ),
        },
      ],
    };
  }
}
