import { type ServerResponse } from 'node:http';
import { type Duplex } from 'node:stream';

import { type ErrorCode, ERROR_STATUS, errorBody, okEnvelope } from '@cloudillo/protocol';

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

/** A service's answer the gateway gives again (a replay): `data` in a fresh envelope. */
export function sendData(res: ServerResponse, status: number, data: unknown, reqId?: string): void {
  sendJson(res, status, okEnvelope(data, reqId === undefined ? {} : { reqId }), reqId);
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
