import { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { type Readable, Writable } from 'node:stream';

import { REPLAY_HEADER, STORE_READ_OFFER, STORE_READ_RANGE, STORE_READ_URL } from '@cloudillo/http';
import { Agent, type Dispatcher } from 'undici';

/**
 * Headers that describe one connection, not the message (RFC 9110 §7.6.1), and `expect`, which
 * the gateway's own server has already answered: never passed on in either direction.
 */
const HOP_BY_HOP = new Set([
  'connection',
  'expect',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  // Between the gateway and the services only (see `@cloudillo/http` store reads).
  STORE_READ_OFFER,
  STORE_READ_URL,
  STORE_READ_RANGE,
  REPLAY_HEADER,
]);

type OutgoingHeaders = Record<string, string | string[]>;

function endToEnd(
  headers: IncomingHttpHeaders | Dispatcher.ResponseData['headers'],
): OutgoingHeaders {
  const named = headers['connection'];
  const listed = typeof named === 'string' ? named.toLowerCase().split(/\s*,\s*/) : [];
  const kept: OutgoingHeaders = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || HOP_BY_HOP.has(name) || listed.includes(name)) continue;
    kept[name] = value;
  }
  return kept;
}

/** A service's answer whose bytes the gateway fetches from the store. */
interface StoreRead {
  status: number;
  headers: OutgoingHeaders;
  url: URL;
  range: string | undefined;
}

/** The store did not answer a handed-over read as asked (e.g. the object is missing). */
class StoreReadFailed extends Error {
  readonly code = 'STORE_READ_FAILED';
}

const BYTE_RANGE = /^bytes=\d+-\d+$/;

/** Reads a service's hand-over of a GET to the store, or undefined for a normal answer. */
function storeReadOf(
  statusCode: number,
  answer: Dispatcher.ResponseData['headers'],
): StoreRead | undefined {
  const url = answer[STORE_READ_URL];
  if (url === undefined) return undefined;
  const range = answer[STORE_READ_RANGE];
  const target = typeof url === 'string' && URL.canParse(url) ? new URL(url) : undefined;
  const valid =
    target !== undefined &&
    (target.protocol === 'http:' || target.protocol === 'https:') &&
    (range === undefined || (typeof range === 'string' && BYTE_RANGE.test(range))) &&
    statusCode === (range === undefined ? 200 : 206);
  if (!valid) throw new StoreReadFailed('malformed store read from the service');
  const headers = endToEnd(answer);
  delete headers['content-length'];
  return { status: statusCode, headers, url: target, range };
}

/** Where a handed-over answer's (empty) body goes. */
function discard(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}

/** A service's answer marked replayable (`REPLAY_HEADER`), as it was sent to the client. */
export interface ReplayableAnswer {
  status: number;
  headers: OutgoingHeaders;
  body: Buffer;
  seconds: number;
}

/** Only a whole answer can be replayed; a longer one is passed on and not kept. */
const REPLAYABLE_ANSWER_LIMIT = 64 * 1024;

function replaySecondsOf(value: string | string[] | undefined): number | undefined {
  const seconds = typeof value === 'string' ? Number(value) : NaN;
  return Number.isInteger(seconds) && seconds > 0 ? seconds : undefined;
}

/**
 * Streams an answer into the client's response, and hands over a copy of it once the service's
 * answer is complete (not when it was too long to keep). Not `pipeline`: it makes an
 * AbortController and a DOMException for every answer.
 */
function copyingInto(res: ServerResponse, done: (body: Buffer) => void): Writable {
  const chunks: Buffer[] = [];
  let size = 0;
  const copy = new Writable({
    write(chunk: Buffer, _encoding, next) {
      size += chunk.length;
      if (size <= REPLAYABLE_ANSWER_LIMIT) chunks.push(chunk);
      if (res.write(chunk)) next();
      else res.once('drain', () => next());
    },
    final(next) {
      res.end();
      if (size <= REPLAYABLE_ANSWER_LIMIT) done(Buffer.concat(chunks, size));
      next();
    },
  });
  // A client gone before the end of the answer: stop reading it (undici is told by the error).
  res.once('close', () => {
    if (!res.writableFinished) copy.destroy(new Error('the client went away'));
  });
  return copy;
}

/** Why an upstream exchange failed, as far as the client's answer goes. */
export type UpstreamFailure = 'timeout' | 'unavailable' | 'client-gone';

const TIMEOUTS = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'ETIMEDOUT',
]);

export function classifyUpstreamError(error: unknown): UpstreamFailure {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && TIMEOUTS.has(code)) return 'timeout';
  if (code === 'UND_ERR_ABORTED' || code === 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH')
    return 'client-gone';
  return 'unavailable';
}

/**
 * Sends a client's request to a service and streams the answer back, over kept-alive upstream
 * connections. undici rather than http-proxy on node:http: under load the gateway spends a fifth
 * (GET) to a third (1 KiB POST) less CPU per request, and a large download passes at 0.7–0.8 of
 * the upstream's rate instead of 0.4 (`npm run bench -- gateway-proxy`).
 */
export class UpstreamForwarder {
  private readonly dispatcher: Agent;

  constructor(timeoutMs: number) {
    // The timeouts are idle times: the headers one is refreshed while a request body streams out.
    this.dispatcher = new Agent({
      connections: 256,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
  }

  /**
   * Resolves when the answer has been streamed; rejects (with undici's error) when the service
   * could not be reached, timed out or broke off, or the client went away. What the client is told
   * then is the caller's choice (after the status line, only destroying the response is left).
   * `onReplayable` is given an answer the service marked replayable, once all of it was passed on.
   */
  async forward(
    req: IncomingMessage,
    res: ServerResponse,
    origin: string,
    body: Readable | Buffer | null,
    onReplayable?: (answer: ReplayableAnswer) => void,
  ): Promise<void> {
    const headers = endToEnd(req.headers);
    const client = req.socket.remoteAddress ?? '';
    const prior = headers['x-forwarded-for'];
    headers['x-forwarded-for'] = typeof prior === 'string' ? `${prior}, ${client}` : client;
    headers['x-forwarded-proto'] ??= 'encrypted' in req.socket ? 'https' : 'http';
    if (req.headers.host !== undefined) headers['x-forwarded-host'] ??= req.headers.host;
    // Only a GET's bytes may come from the store instead (a HEAD has none).
    const offered = req.method === 'GET';
    if (offered) headers[STORE_READ_OFFER] = '1';
    let storeRead: StoreRead | undefined;
    // No abort signal for a client that leaves before the answer: AbortController costs the
    // gateway ≈ 8 % of its CPU per request. The body stream's end, or the first write into the
    // closed response, stops the exchange instead.
    await this.dispatcher.stream(
      {
        origin,
        path: req.url ?? '/',
        method: req.method as Dispatcher.HttpMethod,
        headers,
        body,
      },
      ({ statusCode, headers: answer }) => {
        storeRead = offered ? storeReadOf(statusCode, answer) : undefined;
        if (storeRead) return discard();
        const headers = endToEnd(answer);
        res.writeHead(statusCode, headers);
        const seconds = replaySecondsOf(answer[REPLAY_HEADER]);
        if (!onReplayable || seconds === undefined) return res;
        return copyingInto(res, (copy) =>
          onReplayable({ status: statusCode, headers, body: copy, seconds }),
        );
      },
    );
    if (storeRead) await this.readFromStore(storeRead, res);
  }

  /**
   * Streams a handed-over answer's bytes from the store: the service's status and headers, the
   * store's length. Anything but the asked-for 200 or 206 from the store fails the request.
   */
  private async readFromStore(read: StoreRead, res: ServerResponse): Promise<void> {
    await this.dispatcher.stream(
      {
        origin: read.url.origin,
        path: `${read.url.pathname}${read.url.search}`,
        method: 'GET',
        headers: read.range === undefined ? {} : { range: read.range },
      },
      ({ statusCode, headers: stored }) => {
        if (statusCode !== read.status)
          throw new StoreReadFailed(`the store answered ${statusCode} to a handed-over read`);
        const length = stored['content-length'];
        res.writeHead(read.status, {
          ...read.headers,
          ...(typeof length === 'string' ? { 'content-length': length } : {}),
        });
        return res;
      },
    );
  }

  /** Closes the kept-alive upstream connections (they would hold the services' shutdown). */
  async close(): Promise<void> {
    await this.dispatcher.destroy();
  }
}
