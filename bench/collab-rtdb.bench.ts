/**
 * Issue 23: the real-time database (`/ws/rtdb`, protocol §7). Two figures, each with a baseline
 * measured in the same run (no numeric goal is set: the ratios are printed).
 *
 * 1. Transactions/s. `BENCH_WRITERS` (20) sockets send transactions back-to-back, one in flight on
 *    each, for `BENCH_SECONDS` (10) per case: (a) one `create` into a collection, all writers on
 *    one database; (a') the same, each writer on a database of its own; (b) `update` with
 *    `$op: increment` of one shared document (contended). The service runs every transaction of
 *    one database under an advisory lock, so (a) and (b) are serialized per database and (a')
 *    shows what parallelism there is. Figures: tx/s, latency p50/p95/p99 (send to
 *    `transactionResult`), error frames. Baseline: the statements the service's repository issues
 *    for the same transaction (BEGIN, `pg_advisory_xact_lock`, for an update the hard-lock check
 *    and the read of the document, the INSERT … ON CONFLICT upsert, COMMIT), straight to Postgres
 *    with `pg` (one pool of `BENCH_WRITERS` connections, the same concurrency), on the same
 *    tables (the deployment's collab schema, another tenant id).
 *
 * 2. Subscription fan-out. `BENCH_SUBSCRIBERS` (1,000) sockets subscribe to one collection; one
 *    writer creates a document every 1/rate s for `BENCH_FANOUT_SECONDS` (10), open loop (after
 *    one second of warm-up writes), once per rate of `BENCH_RATE` ("20,50": on 2 cores, 20/s is
 *    below what the service sustains with 1,000 subscribers and 50/s beyond it). Figures: latency from the writer's send to
 *    each subscriber's `change` frame p50/p95/p99/max, deliveries/s, missing deliveries (none
 *    seen 10 s after the last write), the service's VmRSS before connecting and with every
 *    subscriber idle (3 s after the last one subscribed), the gateway's, and CPU seconds.
 *    Baseline: a bare `ws` server (its own process, nothing else loaded) that answers the same
 *    `subscribe` and `transaction` frames and broadcasts the same `change` frame (serialized per
 *    socket, as the service does) to every subscriber; what the service adds is the gateway hop,
 *    auth at the upgrade, the Postgres transaction, the NATS hop (`collab.rtdb.changed.v1`) and
 *    filter evaluation per subscriber.
 *
 * System under test: the collaboration service of a whole deployment (`startDeployment`,
 * `collaboration: true`), reached through the gateway with a real tenant's access token, on RTDB
 * files made with `POST /api/files {fileTp: 'RTDB'}`. The clients (writers and subscribers) run in
 * this bench process; every server runs in a process of its own. On a 2-core machine they still
 * share the CPU with the clients.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

import { createTenant, setTenantPassword } from '@cloudillo/contracts';
import { apiClient, dataOf, loginAs } from '@cloudillo/testing';
import { Pool, type PoolClient } from 'pg';
import { WebSocket } from 'ws';

import { startDeployment } from './deployment';
import {
  type CpuSource,
  cpuSnapshot,
  cpuSpent,
  requireEnv,
  ROOT,
  rssMiB,
  stopApp,
} from './harness';

const WRITERS = Number(process.env['BENCH_WRITERS'] ?? 20);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const SUBSCRIBERS = Number(process.env['BENCH_SUBSCRIBERS'] ?? 1_000);
/** Writes/s of the fan-out runs, one run each: "20,50" measures below and at saturation. */
const RATES = (process.env['BENCH_RATE'] ?? '20,50').split(',').map(Number);
const DIRECT = process.env['BENCH_RTDB_DIRECT'] === '1';
const FANOUT_SECONDS = Number(process.env['BENCH_FANOUT_SECONDS'] ?? 10);
const BASE_PORT = 18_740;
const BASELINE_PORT = 18_749;
const TENANT = 'alice.rtdb.localhost';
/** The baseline's tenant id in the same tables (the service's tenants are numbered from 1). */
const BASELINE_TN_ID = 2_000_000_000;
/** Sockets opened at once while connecting (each is authorised over NATS on our side). */
const CONNECTING = 50;
const SETTLE_SECONDS = 3;
const DRAIN_MS = 10_000;
const WARMUP_TX = 20;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

interface Frame {
  type: string;
  id?: number | string;
  subscriptionId?: string;
  event?: { action: string; path: string; data?: unknown };
  code?: number;
  message?: string;
}

/** A raw `/ws/rtdb` client: numbered requests, answers by id, `change` frames to a callback. */
class RtdbSocket {
  private nextId = 0;
  private readonly waiting = new Map<number, (frame: Frame) => void>();
  onChange: ((frame: Frame, at: number) => void) | undefined;
  closedUnexpectedly = false;
  private closing = false;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const at = performance.now();
      const frame = JSON.parse(data.toString()) as Frame;
      if (frame.type === 'change') this.onChange?.(frame, at);
      else if (typeof frame.id === 'number') this.waiting.get(frame.id)?.(frame);
    });
    ws.on('close', () => (this.closedUnexpectedly ||= !this.closing));
  }

  static async open(url: string, host: string | undefined): Promise<RtdbSocket> {
    const ws = new WebSocket(url, host ? { headers: { Host: `cl-o.${host}` } } : {});
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) =>
        reject(new Error(`upgrade refused: ${res.statusCode}`)),
      );
    });
    return new RtdbSocket(ws);
  }

  /** Sends a request; resolves with the frame answering it. */
  request(message: Record<string, unknown>): Promise<Frame> {
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`no answer to ${String(message['type'])}`));
      }, 30_000);
      this.waiting.set(id, (frame) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        resolve(frame);
      });
      this.ws.send(JSON.stringify({ ...message, id }));
    });
  }

  close(): void {
    this.closing = true;
    this.ws.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Transactions/s

interface LoadFigures {
  count: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  firstError?: string;
}

/** `WRITERS` closed loops, each running `one(w)` back-to-back for `SECONDS`; latencies in ms. */
async function closedLoop(one: (writer: number) => Promise<string | undefined>) {
  // Warm-up: a few on every writer, not counted.
  await Promise.all(
    Array.from({ length: WRITERS }, async (_, w) => {
      for (let i = 0; i < WARMUP_TX; i++) await one(w);
    }),
  );
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: WRITERS }, async (_, w) => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        const error = await one(w).catch((e: unknown) => String(e));
        if (error === undefined) latencies.push(performance.now() - t0);
        else {
          errors++;
          firstError ??= error;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const sorted = Float64Array.from(latencies).sort();
  const figures: LoadFigures = {
    count: sorted.length,
    seconds,
    perSecond: sorted.length / seconds,
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    errors,
  };
  if (firstError !== undefined) figures.firstError = firstError;
  return figures;
}

/** One transaction over a socket; an error frame's text, or undefined when it committed. */
async function transact(socket: RtdbSocket, operations: object[]): Promise<string | undefined> {
  const frame = await socket.request({ type: 'transaction', operations });
  if (frame.type === 'transactionResult') return undefined;
  return `${frame.type} ${frame.code ?? ''} ${frame.message ?? ''}`;
}

type TxCase = 'create' | 'create-own-db' | 'increment';

const CASES: { name: TxCase; label: string }[] = [
  { name: 'create', label: '(a) create into one collection, one database' },
  { name: 'create-own-db', label: "(a') create into one collection, a database per writer" },
  { name: 'increment', label: '(b) $op increment of one shared document' },
];

function operationsFor(name: TxCase, writer: number, n: number): object[] {
  return name === 'increment'
    ? [{ type: 'update', path: 'counters/shared', data: { n: { $op: 'increment', by: 1 } } }]
    : [{ type: 'create', path: 'items', data: { writer, n, title: `item ${writer}-${n}` } }];
}

/**
 * The baseline: what `RtdbRepository.transaction` sends for the same transaction, on a pg pool.
 * `tnId`/`dbId` are the baseline's own; the table is the service's.
 */
async function pgTransaction(
  client: PoolClient,
  schema: string,
  name: TxCase,
  dbId: string,
  writer: number,
  n: number,
): Promise<void> {
  const docs = `"${schema}".rtdb_docs`;
  const upsert = `INSERT INTO ${docs} (tn_id, db_id, path, coll, data, updated_at)
    VALUES ($1, $2, $3, $4, $5::jsonb, now())
    ON CONFLICT (tn_id, db_id, path)
    DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`;
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [BASELINE_TN_ID, dbId]);
    if (name === 'increment') {
      const path = 'counters/shared';
      await client.query(
        `SELECT user_id FROM "${schema}".rtdb_locks
         WHERE tn_id = $1 AND db_id = $2 AND path = $3 AND mode = 'hard' AND expires_at > now()`,
        [BASELINE_TN_ID, dbId, path],
      );
      const rows = await client.query<{ data: { n?: number } }>(
        `SELECT data FROM ${docs} WHERE tn_id = $1 AND db_id = $2 AND path = $3`,
        [BASELINE_TN_ID, dbId, path],
      );
      const current = rows.rows[0]?.data ?? {};
      const data = { ...current, n: (current.n ?? 0) + 1 };
      await client.query(upsert, [BASELINE_TN_ID, dbId, path, 'counters', JSON.stringify(data)]);
    } else {
      const id = `${writer}-${n}-${Math.random().toString(36).slice(2)}`;
      const data = { writer, n, title: `item ${writer}-${n}`, id };
      await client.query(upsert, [
        BASELINE_TN_ID,
        dbId,
        `items/${id}`,
        'items',
        JSON.stringify(data),
      ]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

function showLoad(label: string, f: LoadFigures): void {
  console.log(
    `  ${label}: ${f.count} tx in ${f.seconds.toFixed(1)} s = ${f.perSecond.toFixed(0)} tx/s; latency p50 ${f.p50.toFixed(1)} ms, p95 ${f.p95.toFixed(1)} ms, p99 ${f.p99.toFixed(1)} ms; errors ${f.errors}${f.firstError ? ` (first: ${f.firstError.slice(0, 160)})` : ''}`,
  );
}

// ---------------------------------------------------------------------------------------------
// Fan-out

/** The baseline: a bare `ws` server broadcasting the same `change` frame, in its own process. */
const BASELINE = `
const { randomBytes } = require('node:crypto');
const { WebSocketServer } = require('ws');
const subscribers = new Map();
const wss = new WebSocketServer({ port: ${BASELINE_PORT}, host: '127.0.0.1' });
wss.on('connection', (ws) => {
  ws.on('message', (raw) => {
    const msg = JSON.parse(raw.toString());
    if (msg.type === 'subscribe') {
      const subscriptionId = 'sub-' + randomBytes(9).toString('base64url');
      subscribers.set(ws, { subscriptionId, coll: msg.path });
      ws.send(JSON.stringify({ type: 'subscribeResult', id: msg.id, subscriptionId }));
      ws.send(JSON.stringify({ type: 'change', subscriptionId, event: { action: 'ready', path: msg.path, data: [] } }));
    } else if (msg.type === 'transaction') {
      const op = msg.operations[0];
      const id = randomBytes(15).toString('base64url');
      const data = { ...op.data, id };
      ws.send(JSON.stringify({ type: 'transactionResult', id: msg.id, results: [{ ref: null, id }] }));
      for (const [sub, { subscriptionId, coll }] of subscribers)
        if (coll === op.path && sub.readyState === sub.OPEN)
          sub.send(JSON.stringify({ type: 'change', subscriptionId, event: { action: 'create', path: op.path + '/' + id, data } }));
    } else ws.send(JSON.stringify({ type: 'error', id: msg.id, code: 400, message: 'unsupported' }));
  });
  ws.on('close', () => subscribers.delete(ws));
});
wss.on('listening', () => console.log('ready on ${BASELINE_PORT}'));
process.on('SIGTERM', () => { for (const c of wss.clients) c.terminate(); wss.close(() => process.exit(0)); });
`;

async function startBaseline(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', BASELINE], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => c.toString().includes('ready on') && resolve());
    child.once('exit', () => reject(new Error('the baseline server exited')));
  });
  return child;
}

interface FanoutFigures {
  rate: number;
  connectSeconds: number;
  extensions: string;
  writes: number;
  writeErrors: number;
  deliveries: number;
  missing: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  disconnects: number;
  rssBefore: number;
  rssIdle: number;
  rssPeak: number;
  others: Record<string, { before: number; idle: number }>;
  cpu: string;
}

/**
 * Subscribes `SUBSCRIBERS` sockets to `feed` at `url`, lets them idle, then writes at `rate`
 * for `FANOUT_SECONDS` from one more socket; the figures.
 */
async function fanout(
  url: string,
  host: string | undefined,
  serverPid: number | undefined,
  cpuOf: Record<string, CpuSource>,
  others: Record<string, number | undefined>,
  rate: number,
): Promise<FanoutFigures> {
  const writer = await RtdbSocket.open(url, host);
  // Warms the server's code paths (subscribe, create, change) before its RSS is read.
  {
    const probe = await RtdbSocket.open(url, host);
    let seen = false;
    probe.onChange = (frame) => (seen ||= frame.event?.action === 'create');
    await probe.request({ type: 'subscribe', path: 'warm' });
    await transact(writer, [{ type: 'create', path: 'warm', data: { warm: true } }]);
    const until = Date.now() + 10_000;
    while (!seen && Date.now() < until) await sleep(10);
    if (!seen) throw new Error('the warm-up change never arrived');
    probe.close();
  }
  await sleep(1000);
  const rssBefore = rssMiB(serverPid);
  const othersBefore = Object.entries(others).map(([name, pid]) => [name, rssMiB(pid)] as const);

  const warmWrites = rate; // one second of writes, not counted
  const writes = Math.round(rate * FANOUT_SECONDS);
  const total = warmWrites + writes;
  const sentAt = new Float64Array(total);
  const latencies: number[] = [];
  const seen: Uint8Array[] = [];
  let deliveries = 0;
  let lastDelivery = 0;

  const sockets: RtdbSocket[] = [];
  let extensions = '';
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONNECTING }, async () => {
      while (next < SUBSCRIBERS) {
        const index = next++;
        const socket = await RtdbSocket.open(url, host);
        extensions ||= socket.ws.extensions || 'none';
        const mine = new Uint8Array(total);
        seen.push(mine);
        socket.onChange = (frame, at) => {
          if (frame.event?.action !== 'create') return;
          const seq = (frame.event.data as { seq?: unknown } | undefined)?.seq;
          if (typeof seq !== 'number' || mine[seq]) return;
          mine[seq] = 1;
          if (seq < warmWrites) return;
          latencies.push(at - (sentAt[seq] as number));
          deliveries++;
          lastDelivery = at;
        };
        const answer = await socket.request({ type: 'subscribe', path: 'feed' });
        if (answer.type !== 'subscribeResult')
          throw new Error(`subscriber ${index} refused: ${JSON.stringify(answer)}`);
        sockets.push(socket);
      }
    }),
  );
  const connectSeconds = (performance.now() - started) / 1000;
  await sleep(SETTLE_SECONDS * 1000);
  const rssIdle = rssMiB(serverPid);
  const othersIdle = Object.fromEntries(
    othersBefore.map(([name, before]) => [name, { before, idle: rssMiB(others[name]) }]),
  );

  let rssPeak = rssIdle;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMiB(serverPid))), 100);
  let writeErrors = 0;
  const answers: Promise<void>[] = [];
  const origin = performance.now();
  let cpuBefore: Record<string, number> | undefined;
  let measuredFrom = 0;
  for (let seq = 0; seq < total; seq++) {
    if (seq === warmWrites) {
      cpuBefore = cpuSnapshot({ ...cpuOf, bench: 'self' });
      measuredFrom = performance.now();
    }
    const due = origin + (seq * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    sentAt[seq] = performance.now();
    answers.push(
      transact(writer, [{ type: 'create', path: 'feed', data: { seq, text: `entry ${seq}` } }])
        .then((error) => void (error === undefined || writeErrors++))
        .catch(() => void writeErrors++),
    );
  }
  await Promise.all(answers);
  const expected = writes * SUBSCRIBERS;
  const drainUntil = performance.now() + DRAIN_MS;
  while (deliveries < expected && performance.now() < drainUntil) await sleep(20);
  const cpu = cpuSpent(cpuBefore ?? {}, cpuSnapshot({ ...cpuOf, bench: 'self' }));
  clearInterval(sampler);
  const disconnects = sockets.filter((s) => s.closedUnexpectedly).length;
  for (const socket of sockets) socket.close();
  writer.close();
  const sorted = Float64Array.from(latencies).sort();
  // From the first measured write to the last delivery.
  const span = Math.max(0.001, (lastDelivery - measuredFrom) / 1000);
  return {
    rate,
    connectSeconds,
    extensions,
    writes,
    writeErrors,
    deliveries,
    missing: expected - deliveries,
    seconds: span,
    perSecond: deliveries / span,
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    max: sorted[sorted.length - 1] ?? 0,
    disconnects,
    rssBefore,
    rssIdle,
    rssPeak,
    others: othersIdle,
    cpu,
  };
}

function showFanout(label: string, f: FanoutFigures): void {
  console.log(`${label}:`);
  console.log(
    `  ${SUBSCRIBERS} subscribers connected and subscribed in ${f.connectSeconds.toFixed(1)} s (extensions: ${f.extensions}); closed unexpectedly: ${f.disconnects}`,
  );
  console.log(
    `  ${f.writes} writes at ${f.rate}/s (write errors ${f.writeErrors}): ${f.deliveries} deliveries in ${f.seconds.toFixed(1)} s = ${f.perSecond.toFixed(0)} deliveries/s; latency p50 ${f.p50.toFixed(1)} ms, p95 ${f.p95.toFixed(1)} ms, p99 ${f.p99.toFixed(1)} ms, max ${f.max.toFixed(1)} ms; missing ${f.missing}`,
  );
  console.log(
    `  server RSS (VmRSS): before ${f.rssBefore.toFixed(0)} MiB, ${SUBSCRIBERS} idle subscribers ${f.rssIdle.toFixed(0)} MiB (+${(((f.rssIdle - f.rssBefore) * 1000) / SUBSCRIBERS).toFixed(1)} MiB per 1,000), peak while writing ${f.rssPeak.toFixed(0)} MiB`,
  );
  for (const [name, { before, idle }] of Object.entries(f.others))
    console.log(
      `  ${name} RSS: before ${before.toFixed(0)} MiB, ${SUBSCRIBERS} idle ${idle.toFixed(0)} MiB`,
    );
  console.log(`  CPU seconds while writing: ${f.cpu}`);
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const databaseUrl = requireEnv('DATABASE_URL');
  console.log(
    `transactions: ${WRITERS} writers × ${SECONDS} s per case; fan-out: ${SUBSCRIBERS} subscribers, ${RATES.join(' and ')} writes/s for ${FANOUT_SECONDS} s each`,
  );
  const node = await startDeployment({
    databaseUrl,
    name: 'rtdb',
    basePort: BASE_PORT,
    baseIdTag: 'rtdb.localhost',
    collaboration: true,
  });
  const pool = new Pool({ connectionString: databaseUrl, max: WRITERS });
  try {
    const schema = node.schemas.collab as string;
    await node.rpc.request(createTenant, { idTag: TENANT });
    await node.rpc.request(setTenantPassword, { idTag: TENANT, password: 'bench-password' });
    const call = apiClient(node.ports.gateway);
    const token = await loginAs(call, TENANT, 'bench-password');
    const newDatabase = async (name: string): Promise<string> => {
      const res = await call(TENANT, 'POST', '/api/files', {
        token,
        body: { fileTp: 'RTDB', fileName: name },
      });
      if (res.status !== 201) throw new Error(`file not created: ${res.status} ${res.text}`);
      return dataOf<{ fileId: string }>(res).fileId;
    };
    const port = DIRECT ? node.ports.collaboration : node.ports.gateway;
    const via = DIRECT ? 'straight to the service (Host cl-o.<idTag>)' : 'through the gateway';
    const urlOf = (fileId: string) =>
      `ws://127.0.0.1:${port}/ws/rtdb/${fileId}?token=${encodeURIComponent(token)}`;
    const service = node.processes.collaboration;
    const cpuOf = {
      collaboration: service?.pid,
      gateway: node.processes.gateway.pid,
      bench: 'self' as const,
      // Not Postgres: its backends come and go (pools of other processes), so a sum over
      // /proc is not a measure.
      nats: /nats-server/,
    };

    // 1. Transactions/s: ours, then the baseline, case by case.
    console.log(
      `transactions/s, ${WRITERS} sockets (ours, ${via}) / ${WRITERS} pooled pg connections (baseline), one transaction in flight on each:`,
    );
    const ratios: string[] = [];
    /** Increments the service acknowledged, warm-up included. */
    let increments = 0;
    for (const { name, label } of CASES) {
      const shared = await newDatabase(`tx-${name}`);
      const fileIds =
        name === 'create-own-db'
          ? await Promise.all(Array.from({ length: WRITERS }, (_, w) => newDatabase(`tx-${w}`)))
          : Array.from({ length: WRITERS }, () => shared);
      const sockets = await Promise.all(
        fileIds.map((fileId) => RtdbSocket.open(urlOf(fileId), TENANT)),
      );
      const counts = new Array<number>(WRITERS).fill(0);
      const nextN = (w: number) => (counts[w] = (counts[w] ?? 0) + 1);
      console.log(label);
      let before = cpuSnapshot(cpuOf);
      const ours = await closedLoop((w) =>
        transact(sockets[w] as RtdbSocket, operationsFor(name, w, nextN(w))),
      );
      showLoad('ours    ', ours);
      if (name === 'increment') increments = ours.count + WRITERS * WARMUP_TX;
      console.log(`    CPU seconds: ${cpuSpent(before, cpuSnapshot(cpuOf))}`);
      for (const socket of sockets) socket.close();

      const clients = await Promise.all(Array.from({ length: WRITERS }, () => pool.connect()));
      try {
        before = cpuSnapshot(cpuOf);
        const baseline = await closedLoop((w) =>
          pgTransaction(
            clients[w] as PoolClient,
            schema,
            name,
            name === 'create-own-db' ? `baseline-${name}-${w}` : `baseline-${name}`,
            w,
            nextN(w),
          ).then(() => undefined),
        );
        showLoad('baseline', baseline);
        console.log(`    CPU seconds: ${cpuSpent(before, cpuSnapshot(cpuOf))}`);
        ratios.push(
          `${name} ${(ours.perSecond / baseline.perSecond).toFixed(2)} (p95 ${ours.p95.toFixed(1)} vs ${baseline.p95.toFixed(1)} ms)`,
        );
      } finally {
        for (const client of clients) client.release();
      }
    }
    if (CASES.some((c) => c.name === 'increment')) {
      // Checks the contended case added up exactly (the advisory lock's promise).
      const shared = await pool.query<{ n: number }>(
        `SELECT (data->>'n')::int AS n FROM "${schema}".rtdb_docs WHERE tn_id <> $1 AND path = 'counters/shared'`,
        [BASELINE_TN_ID],
      );
      console.log(
        `  shared counter after (b): ${shared.rows[0]?.n ?? 'missing'} (acknowledged increments: ${increments})`,
      );
    }
    console.log(`ratio ours / pg tx/s: ${ratios.join('; ')}`);

    // 2. Fan-out: the baseline first, on a quiet machine (the deployment idles meanwhile).
    const bare = await startBaseline();
    const baselines: FanoutFigures[] = [];
    try {
      for (const rate of RATES) {
        const figures = await fanout(
          `ws://127.0.0.1:${BASELINE_PORT}/`,
          undefined,
          bare.pid,
          { server: bare.pid },
          {},
          rate,
        );
        showFanout(
          `fan-out at ${rate}/s, bare ws server (same frames; no auth, database, NATS)`,
          figures,
        );
        baselines.push(figures);
      }
    } finally {
      await stopApp(bare);
    }
    const ours: FanoutFigures[] = [];
    for (const rate of RATES) {
      const figures = await fanout(
        urlOf(await newDatabase(`fanout-${rate}`)),
        TENANT,
        service?.pid,
        {
          collaboration: service?.pid,
          gateway: node.processes.gateway.pid,
          nats: /nats-server/,
        },
        DIRECT ? {} : { gateway: node.processes.gateway.pid },
        rate,
      );
      showFanout(`fan-out at ${rate}/s, collaboration service ${via}`, figures);
      ours.push(figures);
    }
    RATES.forEach((rate, i) => {
      const o = ours[i] as FanoutFigures;
      const b = baselines[i] as FanoutFigures;
      console.log(
        `ratio ours / bare at ${rate}/s: deliveries/s ${(o.perSecond / b.perSecond).toFixed(2)}, p95 ${(o.p95 / b.p95).toFixed(2)} (${o.p95.toFixed(1)} vs ${b.p95.toFixed(1)} ms), idle RSS per 1,000 subscribers ${(((o.rssIdle - o.rssBefore) * 1000) / SUBSCRIBERS).toFixed(1)} vs ${(((b.rssIdle - b.rssBefore) * 1000) / SUBSCRIBERS).toFixed(1)} MiB`,
      );
    });
  } finally {
    await pool.end();
    await node.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
