import { createServer } from 'node:net';

/**
 * Ports below Linux's ephemeral range (32768–60999): outbound connections (pg, Redis, NATS, HTTP
 * keep-alive) take their local ports from that range, so a port picked there and released could
 * be taken by one of them before the test listens on it (EADDRINUSE seen in CI).
 */
const LOWEST = 20_000;
const HIGHEST = 32_767;

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A TCP port free on 127.0.0.1 right now (for child processes that cannot take port 0). */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < 100; tries++) {
    const port = LOWEST + Math.floor(Math.random() * (HIGHEST - LOWEST + 1));
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port between ${LOWEST} and ${HIGHEST}`);
}

/**
 * Polls `check` until it resolves truthy or the deadline passes. The default leaves a loaded CI
 * machine (several suites on two cores) room, and still ends before a test's own 30 s timeout,
 * so a wait that fails says what it waited for.
 */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}
