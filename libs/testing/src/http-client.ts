import { request } from 'node:http';

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

export interface HttpCall {
  port: number;
  path: string;
  method?: string;
  /** Sent verbatim, Host included (fetch cannot set Host). */
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** A plain HTTP/1.1 call to 127.0.0.1 with full control over headers. */
export function httpRequest(call: HttpCall): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: call.port,
        path: call.path,
        method: call.method ?? 'GET',
        // A body gets its length unless the caller set framing itself (Node would not frame a
        // DELETE body, and the server would read it as the next request).
        headers:
          call.body === undefined ||
          Object.keys(call.headers ?? {}).some((h) =>
            /^(content-length|transfer-encoding)$/i.test(h),
          )
            ? call.headers
            : { ...call.headers, 'Content-Length': String(Buffer.byteLength(call.body)) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(call.body);
  });
}
