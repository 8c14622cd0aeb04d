type Closer = () => Promise<unknown> | unknown;

/**
 * What a test stack has started so far, to be closed newest first. A nats-server, HTTP server or
 * connection left running keeps jest from exiting, so CI would wait out its time limit instead of
 * failing: a stack built through {@link buildStack} closes what it had started when a later step
 * of its start-up fails.
 */
export class Teardown {
  private readonly closers: Closer[] = [];

  /** Remembers how to close `resource` and hands it back. */
  add<T>(resource: T, close: (resource: T) => Promise<unknown> | unknown): T {
    this.closers.push(() => close(resource));
    return resource;
  }

  /** Closes everything, newest first; every closer runs even when one fails (the first error is rethrown). */
  async close(): Promise<void> {
    const failures: unknown[] = [];
    for (let closer = this.closers.pop(); closer; closer = this.closers.pop()) {
      try {
        await closer();
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) throw failures[0];
  }
}

/** Runs a stack's start-up; when it throws, what it had started is closed before the error goes on. */
export async function buildStack<T>(build: (teardown: Teardown) => Promise<T>): Promise<T> {
  const teardown = new Teardown();
  try {
    return await build(teardown);
  } catch (error) {
    await teardown.close().catch(() => undefined);
    throw error;
  }
}
