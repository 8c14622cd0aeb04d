import {
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';

import { Logger } from '@nestjs/common';
import {
  AppError,
  errorBody,
  isValidRequestId,
  okEnvelope,
  ValidationError,
} from '@cloudillo/protocol';
import { type z } from 'zod';

import { isJson } from './configure-http-app';
import { describeError } from './http-error.filter';
import { parseRequest } from './zod.pipe';
import { declaredTooLarge } from './declared-length';
import { REPLAY_HEADER, Replayable } from './replays';

/**
 * A hot public route answered without the framework (Express routing, Nest's pipeline), with the
 * same contract as a Nest route: X-Request-ID echoed, a JSON body read up to a limit and parsed
 * by its schema, `{data, time, reqId?}` on success, the shared error mapping otherwise. For
 * routes whose volume makes the framework's per-request cost count (the federation inbox).
 */
export interface FastRoute<S extends z.ZodType = z.ZodType> {
  method: 'POST';
  /** The exact path (no query). */
  path: string;
  status: number;
  body: S;
  limitBytes: number;
  /** The `data` of the answer; a `Replayable` lets the gateway answer repeats itself. */
  handle(req: IncomingMessage, body: z.output<S>): Promise<unknown>;
}

const logger = new Logger('http');

/** Lets `take` answer requests before the framework's own listener (Express) sees them. */
export function takeRequestsFirst(
  server: Server,
  take: (req: IncomingMessage, res: ServerResponse) => boolean,
): void {
  const framework = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (take(req, res)) return;
    for (const listener of framework) listener(req, res);
  });
}

export function installFastRoutes(server: Server, routes: readonly FastRoute[]): void {
  const byKey = new Map(routes.map((r) => [`${r.method} ${r.path}`, r]));
  takeRequestsFirst(server, (req, res) => {
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const route = byKey.get(`${req.method} ${query < 0 ? url : url.slice(0, query)}`);
    if (!route) return false;
    void serve(route, req, res);
    return true;
  });
}

async function serve(route: FastRoute, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestId = req.headers['x-request-id'];
  const reqId = isValidRequestId(requestId) ? requestId : undefined;
  if (reqId !== undefined) res.setHeader('X-Request-ID', reqId);
  try {
    const raw = await readJson(req, route.limitBytes);
    const result = await route.handle(req, parseRequest(route.body, raw));
    const data = result instanceof Replayable ? result.data : result;
    if (result instanceof Replayable) res.setHeader(REPLAY_HEADER, String(result.seconds));
    const body = okEnvelope(data === undefined ? null : data, reqId ? { reqId } : {});
    send(res, route.status, body);
  } catch (error) {
    const { status, code, message, details } = describeError(error);
    if (status >= 500)
      logger.error(
        `${req.method} ${req.url} failed`,
        error instanceof Error ? error.stack : String(error),
      );
    const body = errorBody(code, message, status >= 500 ? undefined : details);
    if (res.headersSent) return void res.end();
    // A refused body may still be arriving: the connection is not reused for the next request.
    if (!req.complete) res.setHeader('Connection', 'close');
    send(res, status, reqId === undefined ? body : { ...body, reqId });
    if (!req.complete) req.resume();
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(json),
  });
  res.end(json);
}

function tooLarge(limit: number): AppError {
  return new AppError('E-CORE-TOOLARGE', `request body exceeds ${limit} bytes`);
}

/** The body as JSON: only JSON content types, at most `limit` bytes. */
function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  if (!isJson(req)) return Promise.reject(new ValidationError('the body must be application/json'));
  if (declaredTooLarge(req, limit)) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('error', reject);
    req.on('end', () => {
      if (size > limit) return;
      try {
        resolve(JSON.parse(Buffer.concat(chunks, size).toString('utf8')));
      } catch {
        reject(new ValidationError('the body is not valid JSON'));
      }
    });
  });
}
