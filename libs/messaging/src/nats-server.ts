import { type MicroserviceOptions, Transport } from '@nestjs/microservices';

import { natsConnectionOptions } from './nats-url';

/**
 * The NATS server side of a service: handlers join the queue group named after the service, so
 * replicas share the load, and drain on shutdown.
 */
export function natsMicroservice(natsUrl: string, service: string): MicroserviceOptions {
  return {
    transport: Transport.NATS,
    options: {
      ...natsConnectionOptions(natsUrl),
      queue: service,
      name: `${service}-server`,
      gracefulShutdown: true,
      gracePeriod: 1_000,
    },
  };
}
