import { type DynamicModule, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ContractClient } from '@cloudillo/contracts';
import { HealthController } from '@cloudillo/http';
import { MessagingModule } from '@cloudillo/messaging';
import { RateLimiter } from '@cloudillo/rate-limit';
import { Redis } from 'ioredis';

import { type GatewayConfig } from './config';
import { gatewayReadiness } from './health/readiness';
import { GatewayEdge } from './proxy/gateway-edge';
import { TenantDirectory } from './proxy/tenant-directory';
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
          provide: TenantDirectory,
          inject: [ContractClient],
          useFactory: (rpc: ContractClient) => {
            const directory = new TenantDirectory(rpc);
            directory.followChanges(); // for the process's life: ends with its NATS connection
            return directory;
          },
        },
        {
          provide: GATEWAY_REDIS,
          useFactory: () => new Redis(config.redisUrl, { lazyConnect: false }),
        },
        RedisLifecycle,
        {
          provide: GatewayEdge,
          inject: [TenantDirectory, GATEWAY_REDIS],
          useFactory: (tenants: TenantDirectory, redis: Redis) =>
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
