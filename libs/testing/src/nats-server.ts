import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

import { freePort, waitFor } from './net';

export interface TestNatsServer {
  url: string;
  /** The URL with a user's credentials, for servers started with a permissions file. */
  urlFor(user: string, password: string): string;
  stop(): Promise<void>;
}

export interface NatsServerOptions {
  /** A nats-server configuration file (e.g. deploy/nats/permissions.conf). */
  configFile?: string;
  /** Environment for the server: the passwords a configuration file refers to. */
  env?: Record<string, string>;
  /** Credentials to probe readiness with, when the configuration requires them. */
  probe?: { user: string; pass: string };
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
export async function startNatsServer(options: NatsServerOptions = {}): Promise<TestNatsServer> {
  const port = await freePort();
  const args = [
    '-a',
    '127.0.0.1',
    '-p',
    String(port),
    ...(options.configFile ? ['-c', options.configFile] : []),
  ];
  const child: ChildProcess = spawn(natsBinary(), args, {
    stdio: 'ignore',
    env: { ...process.env, ...options.env },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const { connect } = await import('nats');
  await waitFor(
    async () => {
      const nc = await connect({
        servers: `nats://127.0.0.1:${port}`,
        reconnect: false,
        ...options.probe,
      });
      await nc.close();
      return true;
    },
    10_000,
    'nats-server',
  );
  return {
    url: `nats://127.0.0.1:${port}`,
    urlFor: (user, password) =>
      `nats://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}`,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
