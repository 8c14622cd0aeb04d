import { type INestApplication } from '@nestjs/common';
import { ContractClient, createTenant, setTenantPassword } from '@cloudillo/contracts';
import { NatsRpcTransport } from '@cloudillo/messaging';
import {
  type ApiCall,
  buildStack,
  createTestSchema,
  loginAs,
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
  return buildStack(async (teardown) => {
    const schema = teardown.add(await createTestSchema('identity'), (s) => s.drop());
    const nats = teardown.add(await startNatsServer(), (n) => n.stop());
    const config = testIdentityConfig({
      ...configOptions,
      dbSchema: schema.schema,
      natsUrl: nats.url,
    });
    const app = teardown.add(await startIdentity(config, { logger: false, ...deps }), (a) =>
      a.close(),
    );
    const nc = teardown.add(await connect({ servers: nats.url }), (c) => c.drain());
    return {
      app,
      port: (app.getHttpServer().address() as { port: number }).port,
      config,
      schema,
      nats,
      nc,
      rpc: new ContractClient(new NatsRpcTransport(nc)),
      close: () => teardown.close(),
    };
  });
}

/**
 * Tenants created on the identity service (the base tenant exists already), each given
 * `password` and logged in through `call`: their login tokens by id_tag.
 */
export async function loggedInTenants(
  identity: IdentityHarness,
  call: ApiCall,
  idTags: string[],
  password: string,
): Promise<Record<string, string>> {
  const tokens: Record<string, string> = {};
  for (const idTag of idTags) {
    if (idTag !== identity.config.baseTenant.idTag)
      await identity.rpc.request(createTenant, { idTag });
    await identity.rpc.request(setTenantPassword, { idTag, password });
    tokens[idTag] = await loginAs(call, idTag, password);
  }
  return tokens;
}
