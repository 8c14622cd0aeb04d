import { assertSupportedNode } from '@cloudillo/config';
import { ContractClient } from '@cloudillo/contracts';
import { NatsRpcTransport, natsConnectionOptions } from '@cloudillo/messaging';
import { isAppError } from '@cloudillo/protocol';
import { connect } from 'nats';

import { runCommand, UsageError } from './commands';
import { loadCliConfig } from './config';

/** The operator CLI: talks to the running services over NATS, never to their databases. */
async function main(argv: string[]): Promise<number> {
  let nc;
  try {
    assertSupportedNode();
    const { natsUrl } = loadCliConfig();
    nc = await connect({ ...natsConnectionOptions(natsUrl), name: 'cli', reconnect: false });
    console.log(await runCommand(argv, new ContractClient(new NatsRpcTransport(nc))));
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(error.message);
      return 2;
    }
    console.error(
      isAppError(error) ? `error: ${error.code} ${error.message}` : `error: ${String(error)}`,
    );
    return 1;
  } finally {
    await nc?.close();
  }
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
