import { natsConnectionOptions } from './nats-url';

describe('natsConnectionOptions', () => {
  it('moves credentials out of the URL', () => {
    expect(natsConnectionOptions('nats://127.0.0.1:4222')).toEqual({
      servers: 'nats://127.0.0.1:4222',
    });
    expect(natsConnectionOptions('nats://access-token:p%40ss@nats:4222')).toEqual({
      servers: 'nats://nats:4222',
      user: 'access-token',
      pass: 'p@ss',
    });
  });
});
