import {
  type DynamicModule,
  Inject,
  Injectable,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ContractClient } from '@cloudillo/contracts';
import { connect, type NatsConnection } from 'nats';

import { NatsRpcTransport } from './nats-transport';
import { natsConnectionOptions } from './nats-url';

export const NATS_CONNECTION = Symbol('NATS_CONNECTION');

export interface MessagingOptions {
  natsUrl: string;
  /** Shown in NATS monitoring: the service's name. */
  name: string;
}

@Injectable()
class NatsLifecycle implements OnApplicationShutdown {
  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {}

  async onApplicationShutdown(): Promise<void> {
    if (!this.nc.isClosed()) await this.nc.drain();
  }
}

/** The NATS client side of a service: a ContractClient for typed requests and events. */
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingOptions): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      providers: [
        {
          provide: NATS_CONNECTION,
          useFactory: () =>
            connect({
              ...natsConnectionOptions(options.natsUrl),
              name: options.name,
              maxReconnectAttempts: -1,
            }),
        },
        {
          provide: ContractClient,
          inject: [NATS_CONNECTION],
          useFactory: (nc: NatsConnection) => new ContractClient(new NatsRpcTransport(nc)),
        },
        NatsLifecycle,
      ],
      exports: [ContractClient, NATS_CONNECTION],
    };
  }
}
