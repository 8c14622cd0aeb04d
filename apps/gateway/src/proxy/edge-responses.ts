import { type ServerResponse } from 'node:http';
import { type Duplex } from 'node:stream';

import { etagMatches } from '@cloudillo/http';
import { type ErrorCode, ERROR_STATUS, errorBody } from '@cloudillo/protocol';

import { type ReplayedAnswer } from './replay-cache';

/** An error the gateway answers itself, in the API's error body, with the request id if any. */
export function sendError(
  res: ServerResponse,
  code: ErrorCode,
  message: string,
  reqId?: string,
  status?: number,
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = errorBody(code, message);
  sendJson(
    res,
    status ?? ERROR_STATUS[code],
    reqId === undefined ? body : { ...body, reqId },
    reqId,
  );
}

/**
 * A service's answer the gateway gives again (a replay): its status and headers, `data` in a fresh
 * envelope (as `okEnvelope` writes it: this request's time and id), or 304 without a body when the
 * client already holds the answer's ETag.
 */
export function sendReplay(
  res: ServerResponse,
  answer: ReplayedAnswer,
  reqId: string | undefined,
  ifNoneMatch: string | string[] | undefined,
): void {
  const headers = { ...answer.headers, ...(reqId === undefined ? {} : { 'x-request-id': reqId }) };
  const etag = answer.headers['etag'];
  if (typeof etag === 'string' && etagMatches(ifNoneMatch, etag)) {
    delete headers['content-type'];
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const id = reqId === undefined ? '' : `,"reqId":${JSON.stringify(reqId)}`;
  const payload = `{"data":${answer.dataJson},"time":"${new Date().toISOString()}"${id}}`;
  headers['content-type'] ??= 'application/json; charset=utf-8';
  headers['content-length'] = Buffer.byteLength(payload);
  res.writeHead(answer.status, headers);
  res.end(payload);
}

function sendJson(res: ServerResponse, status: number, body: unknown, reqId?: string): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(payload),
    ...(reqId === undefined ? {} : { 'X-Request-ID': reqId }),
  });
  res.end(payload);
}

/** Refuses a WebSocket upgrade with a plain HTTP status line, then closes the socket. */
export function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
