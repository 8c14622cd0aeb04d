import { type INestApplication } from '@nestjs/common';
import { ContractClient } from '@cloudillo/contracts';
import { NatsRpcTransport } from '@cloudillo/messaging';
import {
  createTestSchema,
  startNatsServer,
  type TestNatsServer,
  type TestSchema,
} from '@cloudillo/testing';
import { connect, type NatsConnection } from 'nats';

import { type IdentityDeps } from '../src/app.module';
import { type IdentityConfig } from '../src/config';
import { startIdentity } from '../src/identity-app';
import { testIdentityConfig } from './test-config';

/** A running identity service for one test file: its own schema and nats-server, and a client. */
export interface IdentityHarness {
  app: INestApplication;
  port: number;
  config: IdentityConfig;
  schema: TestSchema;
  nats: TestNatsServer;
  nc: NatsConnection;
  rpc: ContractClient;
  close(): Promise<void>;
}

export async function startTestIdentity(
  options: Omit<Parameters<typeof testIdentityConfig>[0], 'dbSchema' | 'natsUrl'> & {
    deps?: IdentityDeps;
  },
): Promise<IdentityHarness> {
  const { deps, ...configOptions } = options;
  const schema = await createTestSchema('identity');
  const nats = await startNatsServer();
  const config = testIdentityConfig({
    ...configOptions,
    dbSchema: schema.schema,
    natsUrl: nats.url,
  });
  const app = await startIdentity(config, { logger: false, ...deps });
  const nc = await connect({ servers: nats.url });
  return {
    app,
    port: (app.getHttpServer().address() as { port: number }).port,
    config,
    schema,
    nats,
    nc,
    rpc: new ContractClient(new NatsRpcTransport(nc)),
    close: async () => {
      await nc.drain();
      await app.close();
      await schema.drop();
      await nats.stop();
    },
  };
}
