import { z } from 'zod';

import {
  ConfigError,
  envBool,
  envBytes,
  envCsv,
  envPort,
  envSecretKey32,
  envUrl,
  envUrlMap,
  parseEnv,
} from './index';

const schema = z.object({
  PORT: envPort(8080),
  DATABASE_URL: envUrl(['postgresql', 'postgres']),
  DEBUG: envBool(false),
  LIMIT: envBytes('1m'),
  PEERS: envUrlMap,
});

describe('parseEnv', () => {
  it('parses and applies defaults', () => {
    expect(parseEnv(schema, { DATABASE_URL: 'postgresql://u@h/db' })).toEqual({
      PORT: 8080,
      DATABASE_URL: 'postgresql://u@h/db',
      DEBUG: false,
      LIMIT: 1024 * 1024,
      PEERS: {},
    });
    expect(
      parseEnv(schema, {
        PORT: '0',
        DATABASE_URL: 'postgres://x/y',
        DEBUG: 'yes',
        LIMIT: '16m',
        PEERS: 'alice.localhost=http://127.0.0.1:8081, bob.localhost=http://127.0.0.1:8082/',
      }),
    ).toMatchObject({
      PORT: 0,
      DEBUG: true,
      LIMIT: 16 * 1024 * 1024,
      PEERS: {
        'alice.localhost': 'http://127.0.0.1:8081',
        'bob.localhost': 'http://127.0.0.1:8082',
      },
    });
  });

  it('lists every bad key at once, without echoing values', () => {
    let error: unknown;
    try {
      parseEnv(schema, {
        PORT: '70000',
        DATABASE_URL: 'mysql://secret-password@h',
        LIMIT: 'lots',
        PEERS: 'x=ftp://a',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { problems, message } = error as ConfigError;
    expect(problems.map((p) => p.split(':')[0])).toEqual([
      'DATABASE_URL',
      'LIMIT',
      'PEERS',
      'PORT',
    ]);
    expect(message).not.toContain('secret-password');
  });

  it.each(['nope', '=http://a', 'a=http://h/path', 'a='])('refuses the peer entry %s', (entry) => {
    expect(() => parseEnv(z.object({ P: envUrlMap }), { P: entry })).toThrow(ConfigError);
  });

  it('accepts units and refuses nonsense sizes', () => {
    const s = z.object({ L: envBytes('1') });
    expect(parseEnv(s, { L: '512k' }).L).toBe(512 * 1024);
    expect(parseEnv(s, { L: '1GiB' }).L).toBe(1024 ** 3);
    expect(() => parseEnv(s, { L: '-1' })).toThrow(ConfigError);
  });

  it('splits comma-separated lists', () => {
    expect(parseEnv(z.object({ L: envCsv }), { L: ' a, b ,,c ' }).L).toEqual(['a', 'b', 'c']);
    expect(parseEnv(z.object({ L: envCsv }), {}).L).toEqual([]);
  });

  it('reads 32-byte secret keys in base64 or base64url, and nothing else', () => {
    const key = Buffer.alloc(32, 0xfb);
    const k = z.object({ K: envSecretKey32 });
    expect(parseEnv(k, { K: key.toString('base64') }).K).toEqual(key);
    expect(parseEnv(k, { K: key.toString('base64url') }).K).toEqual(key);
    expect(() => parseEnv(k, { K: Buffer.alloc(16).toString('base64') })).toThrow(/32 bytes/);
    expect(() => parseEnv(k, {})).toThrow(/openssl rand/);
  });

  it('treats empty values as unset', () => {
    expect(parseEnv(schema, { DATABASE_URL: 'postgres://x/y', PORT: '' }).PORT).toBe(8080);
    expect(() => parseEnv(schema, { DATABASE_URL: '' })).toThrow(/DATABASE_URL/);
  });

  it('reports a non-object environment', () => {
    expect(() => parseEnv(z.object({ A: z.string() }), undefined as never)).toThrow(
      /\(environment\)/,
    );
  });
});
