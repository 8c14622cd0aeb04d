import { request } from 'node:http';

import { type BlobStack } from './blob-stack';

export interface BytesReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface BytesCallOptions {
  body?: Buffer;
  headers?: Record<string, string>;
  /** The tenant's own token unless given; `null` for none. */
  token?: string | null;
}

/**
 * A request through the stack's gateway as tenant `idTag`, bytes in and bytes out (uploads and
 * downloads; the JSON client would re-encode them). One connection per request: a refused upload
 * must not leave a half-read one behind for the next.
 */
export function bytesCall(
  stack: Pick<BlobStack, 'tokens' | 'gatewayPort'>,
  idTag: string,
  method: string,
  path: string,
  options: BytesCallOptions = {},
): Promise<BytesReply> {
  return new Promise((resolve, reject) => {
    const token = options.token === undefined ? stack.tokens[idTag] : options.token;
    const req = request(
      {
        host: '127.0.0.1',
        port: stack.gatewayPort,
        method,
        path,
        agent: false,
        headers: {
          Host: `cl-o.${idTag}`,
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
          ...(options.body && !options.headers?.['Transfer-Encoding']
            ? { 'Content-Length': String(options.body.length) }
            : {}),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/**
 * Uploads `body` as tenant `idTag` through the gateway (`POST /api/files/default/{name}{query}`);
 * fails the test unless it is stored (201). Resolves with the file id.
 */
export async function uploadFile(
  stack: Pick<BlobStack, 'tokens' | 'gatewayPort'>,
  idTag: string,
  name: string,
  body: Buffer,
  type: string,
  query = '',
): Promise<string> {
  const reply = await bytesCall(stack, idTag, 'POST', `/api/files/default/${name}${query}`, {
    body,
    headers: { 'Content-Type': type },
  });
  expect([reply.status, reply.body.toString()]).toEqual([201, expect.any(String)]);
  return (JSON.parse(reply.body.toString()) as { data: { fileId: string } }).data.fileId;
}
