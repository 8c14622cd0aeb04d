import {
  Body,
  Controller,
  Get,
  type INestApplication,
  Logger,
  Module,
  Post,
  Res,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NotFoundError, UnavailableError } from '@cloudillo/protocol';
import { httpRequest } from '@cloudillo/testing';
import { type Response } from 'express';
import { z } from 'zod';

import { Page, RawResponse, ZodPipe, configureHttpApp } from '../src';

const createThing = z.object({ name: z.string().min(1) });

@Controller('api')
class ThingsController {
  @Get('me')
  me() {
    return { idTag: 'demo.localhost' };
  }

  @Post('things')
  create(@Body(new ZodPipe(createThing)) body: z.output<typeof createThing>) {
    return { created: body.name };
  }

  @Get('things')
  list() {
    return new Page([1, 2], { nextCursor: 'abc', hasMore: true });
  }

  @Get('missing')
  missing() {
    throw new NotFoundError('no such thing');
  }

  @Get('crash')
  crash() {
    throw new Error('database password is hunter2');
  }

  @Get('unavailable')
  unavailable() {
    throw new UnavailableError(
      'the store is down',
      new Error('connect ECONNREFUSED 10.1.2.3:9000'),
    );
  }

  @Get('raw')
  @RawResponse()
  raw(@Res() res: Response) {
    res.status(204).end();
  }
}

@Module({ controllers: [ThingsController] })
class ThingsModule {}

describe('shared HTTP edge (libs/http) on a real Nest app', () => {
  let app: INestApplication;
  let port: number;
  const host = { Host: 'cl-o.demo.localhost:1234' };

  beforeAll(async () => {
    app = await NestFactory.create(ThingsModule, { bodyParser: false, logger: false });
    configureHttpApp(app, { jsonLimitBytes: 1024 });
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as { port: number }).port;
  });
  afterAll(() => app.close());

  it('wraps results in {data, time} and echoes a valid X-Request-ID as reqId', async () => {
    const res = await httpRequest({
      port,
      path: '/api/me',
      headers: { ...host, 'X-Request-ID': 'req-1.A_b' },
    });
    expect(res.status).toBe(200);
    expect(res.headers['x-request-id']).toBe('req-1.A_b');
    expect(res.json).toEqual({
      data: { idTag: 'demo.localhost' },
      time: expect.any(String),
      reqId: 'req-1.A_b',
    });
    expect(new Date((res.json as { time: string }).time).toISOString()).toBe(
      (res.json as { time: string }).time,
    );
  });

  it('ignores a malformed X-Request-ID instead of failing', async () => {
    const res = await httpRequest({
      port,
      path: '/api/me',
      headers: { ...host, 'X-Request-ID': 'bad id; drop' },
    });
    expect(res.status).toBe(200);
    expect(res.json).not.toHaveProperty('reqId');
    expect(res.headers['x-request-id']).toBeUndefined();
  });

  it('lifts cursor pagination beside data', async () => {
    const res = await httpRequest({ port, path: '/api/things', headers: host });
    expect(res.json).toMatchObject({
      data: [1, 2],
      cursorPagination: { nextCursor: 'abc', hasMore: true },
    });
  });

  it('maps validation failures to 400 E-VAL-INVALID with details', async () => {
    const res = await httpRequest({
      port,
      path: '/api/things',
      method: 'POST',
      headers: { ...host, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: '' }),
    });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({
      error: { code: 'E-VAL-INVALID', details: [{ path: 'name' }] },
    });
  });

  it('maps malformed JSON to 400 and an oversized body to 413, never 500', async () => {
    const headers = { ...host, 'Content-Type': 'application/json' };
    const malformed = await httpRequest({
      port,
      path: '/api/things',
      method: 'POST',
      headers,
      body: '{"name":',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.json).toMatchObject({ error: { code: 'E-VAL-INVALID' } });
    const big = await httpRequest({
      port,
      path: '/api/things',
      method: 'POST',
      headers,
      body: JSON.stringify({ name: 'x'.repeat(2048) }),
    });
    expect(big.status).toBe(413);
    expect(big.json).toMatchObject({ error: { code: 'E-CORE-TOOLARGE' } });
  });

  it('maps app errors and unknown routes, and hides internal errors', async () => {
    const missing = await httpRequest({
      port,
      path: '/api/missing',
      headers: { ...host, 'X-Request-ID': 'r2' },
    });
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({
      error: { code: 'E-CORE-NOTFOUND', message: 'no such thing' },
      reqId: 'r2',
    });
    const route = await httpRequest({ port, path: '/api/nope', headers: host });
    expect(route.status).toBe(404);
    expect(route.json).toEqual({ error: { code: 'E-CORE-NOTFOUND', message: 'not found' } });
    const crash = await httpRequest({ port, path: '/api/crash', headers: host });
    expect(crash.status).toBe(500);
    expect(crash.text).not.toContain('hunter2');
    expect(crash.json).toEqual({ error: { code: 'E-SYS-INTERNAL', message: 'internal error' } });
  });

  it('logs a 5xx with what caused it, and tells the client only its code and message', async () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      const res = await httpRequest({ port, path: '/api/unavailable', headers: host });
      expect(res.status).toBe(503);
      expect(res.json).toEqual({ error: { code: 'E-SYS-UNAVAIL', message: 'the store is down' } });
      expect(res.text).not.toContain('10.1.2.3');
      expect(logged).toHaveBeenCalledTimes(1);
      const [summary, trace] = logged.mock.calls[0] as [string, string];
      expect(summary).toBe('GET /api/unavailable failed');
      expect(trace).toMatch(/^UnavailableError: the store is down\n/);
      expect(trace).toMatch(/\ncaused by: Error: connect ECONNREFUSED 10\.1\.2\.3:9000\n/);
    } finally {
      logged.mockRestore();
    }
  });

  it('leaves raw responses alone', async () => {
    const res = await httpRequest({ port, path: '/api/raw', headers: host });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
  });
});
