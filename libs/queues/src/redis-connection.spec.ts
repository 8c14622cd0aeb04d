import { redisConnection } from './redis-connection';

describe('redisConnection', () => {
  it('reads host, port, credentials and TLS from the URL', () => {
    expect(redisConnection('redis://127.0.0.1:63790')).toEqual({
      host: '127.0.0.1',
      port: 63790,
      maxRetriesPerRequest: null,
    });
    expect(redisConnection('rediss://user:p%40ss@redis.example:6380')).toEqual({
      host: 'redis.example',
      port: 6380,
      username: 'user',
      password: 'p@ss',
      tls: {},
      maxRetriesPerRequest: null,
    });
    expect(redisConnection('redis://redis')).toMatchObject({ port: 6379 });
  });
});
