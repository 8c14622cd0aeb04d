import { buildStack, Teardown } from '../src/teardown';

describe('Teardown', () => {
  it('closes newest first, and every closer runs when one fails', async () => {
    const closed: string[] = [];
    const teardown = new Teardown();
    teardown.add('nats', (name) => closed.push(name));
    teardown.add('db', () => {
      throw new Error('drop failed');
    });
    teardown.add('app', async (name) => {
      closed.push(name);
    });
    await expect(teardown.close()).rejects.toThrow('drop failed');
    expect(closed).toEqual(['app', 'nats']);
    // Closed once: a second close has nothing left to do.
    await teardown.close();
    expect(closed).toEqual(['app', 'nats']);
  });

  it('buildStack closes what a failed start-up had started, and rethrows its error', async () => {
    const closed: string[] = [];
    const failing = buildStack(async (teardown) => {
      teardown.add('nats', (name) => closed.push(name));
      teardown.add('identity', (name) => closed.push(name));
      throw new Error('EADDRINUSE');
    });
    await expect(failing).rejects.toThrow('EADDRINUSE');
    expect(closed).toEqual(['identity', 'nats']);
  });

  it('buildStack leaves a stack that started running until it is closed', async () => {
    const closed: string[] = [];
    const stack = await buildStack(async (teardown) => {
      teardown.add('nats', (name) => closed.push(name));
      return { close: () => teardown.close() };
    });
    expect(closed).toEqual([]);
    await stack.close();
    expect(closed).toEqual(['nats']);
  });
});
