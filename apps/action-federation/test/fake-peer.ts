import { createServer, type Server } from 'node:http';

/** A peer deployment we control: it answers every inbox POST with the status last set by `answer` (503 at first), and counts them. */
export async function fakePeer(port: number) {
  const received: { host: string; body: string }[] = [];
  let status = 503;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ host: req.headers.host ?? '', body });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    received,
    answer: (next: number) => (status = next),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type FakePeer = Awaited<ReturnType<typeof fakePeer>>;
