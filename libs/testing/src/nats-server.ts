import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

import { freePort, waitFor } from './net';

export interface TestNatsServer {
  url: string;
  stop(): Promise<void>;
}

function natsBinary(): string {
  for (const candidate of [
    '/usr/sbin/nats-server',
    '/usr/bin/nats-server',
    '/usr/local/bin/nats-server',
  ]) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('nats-server is not installed: run tests through `npm test`, which installs it');
}

/**
 * A private nats-server for one test file (it starts in ~20 ms): services in different test files
 * use the same subjects and queue groups, and must not answer each other's requests.
 */
export async function startNatsServer(): Promise<TestNatsServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(natsBinary(), ['-a', '127.0.0.1', '-p', String(port)], {
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const { connect } = await import('nats');
  await waitFor(
    async () => {
      const nc = await connect({ servers: `nats://127.0.0.1:${port}`, reconnect: false });
      await nc.close();
      return true;
    },
    10_000,
    'nats-server',
  );
  return {
    url: `nats://127.0.0.1:${port}`,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
