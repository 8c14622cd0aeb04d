/**
 * Issue 6: upload 1 GiB in 100 MiB files through the API (gateway → blob → S3, hashed while
 * streaming) vs raw PutObject of the same bytes to the same store in the same run (goal ≥ 0.8) —
 * one PutObject request per file, as the issue names it, and, stricter, the storage lib's own
 * multipart upload (parts in parallel, as the service writes),
 * with the blob service's peak RSS (goal: flat, under 200 MiB); then download through the API vs
 * raw GetObject (goal ≥ 0.9).
 */
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { Readable } from 'node:stream';

import { createTenant, setTenantPassword } from '@cloudillo/contracts';

import { startDeployment } from './deployment';
import { benchStore, cpuSnapshot, cpuSpent, requireEnv, rssMiB, secondsSince } from './harness';

const FILES = Number(process.env['BENCH_FILES'] ?? 10);
const FILE_BYTES = 100 * 1024 * 1024;
const CHUNK = 1024 * 1024;
const ALICE = 'alice.blob.localhost';
const PASSWORD = 'bench-password';
const MiB = 1024 * 1024;

/** The file `i`: one shared random buffer with its first 8 bytes made distinct (no dedup). */
function fileBytes(base: Buffer, i: number): Buffer {
  base.writeBigUInt64BE(BigInt(i) + BigInt(Date.now()) * 1000n, 0);
  return base;
}

function chunks(data: Buffer): Readable {
  return Readable.from(
    (function* () {
      for (let at = 0; at < data.length; at += CHUNK) yield data.subarray(at, at + CHUNK);
    })(),
  );
}

function call(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer,
): Promise<{ status: number; body: Buffer; bytes: number; location?: string }> {
  return new Promise((resolve, reject) => {
    const agent = new Agent({ keepAlive: false });
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent,
        headers: { Host: `cl-o.${ALICE}`, ...headers },
      },
      (res) => {
        const kept: Buffer[] = [];
        let bytes = 0;
        res.on('data', (c: Buffer) => {
          bytes += c.length;
          if (kept.length < 4) kept.push(c); // a download is counted, not kept
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(kept),
            bytes,
            ...(res.headers.location ? { location: res.headers.location } : {}),
          }),
        );
      },
    );
    req.on('error', reject);
    if (!body) {
      req.end();
      return;
    }
    const stream = chunks(body);
    stream.pipe(req);
  });
}

/** GET of a signed store URL, bytes counted, not kept. */
function fetchCounted(url: string): Promise<{ status: number; body: Buffer; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: new Agent({ keepAlive: false }) }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.alloc(0), bytes }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function main(): Promise<void> {
  const databaseUrl = requireEnv('DATABASE_URL');
  const node = await startDeployment({
    databaseUrl,
    name: 'blob',
    basePort: 18_700,
    baseIdTag: 'blob.localhost',
    blobEnv: {
      BLOB_MAX_FILE_SIZE: '200m',
      BLOB_MAX_STREAM_SIZE: '200m',
      BLOB_TENANT_QUOTA: '100g',
      // BENCH_DIRECT_READS=1: reads answered 307 to signed URLs of the store (the deployment
      // option BLOB_DIRECT_READS_ENDPOINT), followed by the bench like a client.
      ...(process.env['BENCH_DIRECT_READS'] === '1'
        ? { BLOB_DIRECT_READS_ENDPOINT: requireEnv('S3_ENDPOINT') }
        : {}),
    },
    gatewayEnv: { GATEWAY_STREAM_LIMIT: '200m', GATEWAY_PROXY_TIMEOUT_MS: '600000' },
  });
  const raw = benchStore(node.bucket);
  // Parts larger than a file: each file is one PutObject request.
  const rawSingle = benchStore(node.bucket, 128 * MiB);
  const rawKeys: string[] = [];
  const blobIds: string[] = [];
  try {
    await node.rpc.request(createTenant, { idTag: ALICE });
    await node.rpc.request(setTenantPassword, { idTag: ALICE, password: PASSWORD });
    const login = await call(
      node.ports.gateway,
      'POST',
      '/api/auth/login',
      { 'Content-Type': 'application/json' },
      Buffer.from(JSON.stringify({ idTag: ALICE, password: PASSWORD })),
    );
    // BENCH_BLOB_DIRECT=1: files go to the blob service itself, without the gateway hop.
    const apiPort = process.env['BENCH_BLOB_DIRECT'] === '1' ? node.ports.blob : node.ports.gateway;
    const token = (JSON.parse(login.body.toString()) as { data: { token: string } }).data.token;
    const auth = { Authorization: `Bearer ${token}` };
    const base = randomBytes(FILE_BYTES);
    const blobPid = node.processes.blob.pid;
    const rssIdle = rssMiB(blobPid);
    // One small upload and read first: code paths, the Prisma query compiler and pools load
    // once; what is measured below is what an upload's size adds.
    const warm = await call(
      apiPort,
      'POST',
      '/api/files/file/warm-up.bin',
      { ...auth, 'Content-Type': 'application/octet-stream', 'Content-Length': '1024' },
      randomBytes(1024),
    );
    if (warm.status !== 201) throw new Error(`warm-up upload: ${warm.status}`);
    const cpu = () =>
      cpuSnapshot({
        gateway: node.processes.gateway.pid,
        blob: blobPid,
        store: /radosgw|minio/,
        bench: 'self',
      });
    /** CPU used by each process in one kind of phase, summed over its interleaved runs. */
    const phases = { rawUp: {}, apiUp: {}, rawDown: {}, apiDown: {} } as Record<
      'rawUp' | 'apiUp' | 'rawDown' | 'apiDown',
      Record<string, number>
    >;
    const timed = async <T>(phase: keyof typeof phases, run: () => Promise<T>): Promise<T> => {
      const before = cpu();
      const result = await run();
      const after = cpu();
      for (const [name, value] of Object.entries(after))
        phases[phase][name] = (phases[phase][name] ?? 0) + value - (before[name] ?? 0);
      return result;
    };
    const showCpu = (label: string, phase: keyof typeof phases) =>
      console.log(`  CPU seconds, ${label}: ${cpuSpent({}, phases[phase])}`);
    const rssStart = rssMiB(blobPid);
    let rssPeak = rssStart;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMiB(blobPid))), 50);

    // Interleaved, so all see the same store state: raw file i (one request, then multipart),
    // then the API's file i.
    let singleSeconds = 0;
    let rawSeconds = 0;
    let apiSeconds = 0;
    for (let i = 0; i < FILES; i++) {
      let t = process.hrtime.bigint();
      const single = `raw/single-${i}`;
      await rawSingle.put(single, chunks(fileBytes(base, 3 * i)), 'application/octet-stream');
      singleSeconds += secondsSince(t);
      rawKeys.push(single);
      const data = fileBytes(base, 3 * i + 1);
      t = process.hrtime.bigint();
      const key = `raw/${i}`;
      await timed('rawUp', () => raw.put(key, chunks(data), 'application/octet-stream'));
      rawSeconds += secondsSince(t);
      rawKeys.push(key);
      const upload = fileBytes(base, 3 * i + 2);
      t = process.hrtime.bigint();
      const res = await timed('apiUp', () =>
        call(
          apiPort,
          'POST',
          `/api/files/file/bench-${i}.bin`,
          {
            ...auth,
            'Content-Type': 'application/octet-stream',
            'Content-Length': String(FILE_BYTES),
          },
          upload,
        ),
      );
      apiSeconds += secondsSince(t);
      if (res.status !== 201) throw new Error(`upload ${i}: ${res.status} ${res.body.toString()}`);
      const { fileId } = (JSON.parse(res.body.toString()) as { data: { fileId: string } }).data;
      const descriptor = await call(apiPort, 'GET', `/api/files/${fileId}/descriptor`, auth);
      const d2 = (JSON.parse(descriptor.body.toString()) as { data: { file: string } }).data.file;
      blobIds.push(/orig:(b1~[^:]+)/.exec(d2)?.[1] ?? '');
    }
    clearInterval(sampler);
    const total = FILES * FILE_BYTES;
    const singleRate = total / MiB / singleSeconds;
    const rawRate = total / MiB / rawSeconds;
    const apiRate = total / MiB / apiSeconds;
    console.log(
      `upload ${FILES} × 100 MiB: raw PutObject (one request) ${singleRate.toFixed(1)} MiB/s, API ${apiRate.toFixed(1)} MiB/s — ratio ${(apiRate / singleRate).toFixed(2)} (goal ≥ 0.8)`,
    );
    console.log(
      `  stricter: raw multipart upload (the storage lib's, parts in parallel) ${rawRate.toFixed(1)} MiB/s — API ratio ${(apiRate / rawRate).toFixed(2)}`,
    );
    showCpu('raw multipart uploads', 'rawUp');
    showCpu('API uploads', 'apiUp');
    console.log(
      `  blob service RSS: ${rssIdle.toFixed(0)} MiB idle, ${rssStart.toFixed(0)} MiB after a 1 KiB warm-up, peak ${rssPeak.toFixed(0)} MiB during the 100 MiB uploads (goal: flat, < 200 MiB)`,
    );

    let rawDown = 0;
    let apiDown = 0;
    for (let i = 0; i < FILES; i++) {
      let t = process.hrtime.bigint();
      const n = await timed('rawDown', async () => {
        let bytes = 0;
        for await (const chunk of await raw.get(`raw/${i}`)) bytes += (chunk as Buffer).length;
        return bytes;
      });
      rawDown += secondsSince(t);
      if (n !== FILE_BYTES) throw new Error(`raw download ${i}: ${n} bytes`);
      t = process.hrtime.bigint();
      const res = await timed('apiDown', async () => {
        const answer = await call(apiPort, 'GET', `/api/files/variant/${blobIds[i]}`, auth);
        // Direct reads: the client follows the redirect to the store (timed with the API call).
        return answer.status === 307 && answer.location ? fetchCounted(answer.location) : answer;
      });
      apiDown += secondsSince(t);
      if (res.status !== 200 || res.bytes !== FILE_BYTES)
        throw new Error(`download ${i}: ${res.status}, ${res.bytes} bytes`);
    }
    showCpu('raw downloads', 'rawDown');
    showCpu('API downloads', 'apiDown');
    const rawDownRate = total / MiB / rawDown;
    const apiDownRate = total / MiB / apiDown;
    console.log(
      `download${process.env['BENCH_DIRECT_READS'] === '1' ? ' (direct reads: 307 to the store)' : ' (proxied)'}: raw GetObject ${rawDownRate.toFixed(1)} MiB/s, API ${apiDownRate.toFixed(1)} MiB/s — ratio ${(apiDownRate / rawDownRate).toFixed(2)} (goal ≥ 0.9)`,
    );
  } finally {
    await raw.remove(rawKeys).catch(() => undefined);
    await node.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
