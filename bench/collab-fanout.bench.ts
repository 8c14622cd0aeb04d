/**
 * Issue 23: update fan-out of collaborative documents. 1,000 concurrent clients over 100
 * documents (10 each) on loopback; every round, one writer per document inserts a timestamped
 * marker (all 100 documents at once) and the round ends when the other 9 clients of every document
 * have observed it (Y.Text observe). Figures: delivery latency p50/p95/p99 over all deliveries,
 * deliveries/s, server RSS (VmRSS from /proc: both servers run as child processes), and the RSS of
 * 1,000 connected idle sockets (connected and synced, 3 s later, minus before connecting, which is
 * read after two clients of a 101st document have exchanged an edit and left, so that the
 * server's code is loaded; it holds the 100 loaded documents too).
 *
 * System under test: the collaboration service of a whole deployment (identity, access-token,
 * blob, gateway), reached through the gateway as clients deploy (`BENCH_COLLAB_DIRECT=1`: straight
 * to the service, Host `cl-o.<idTag>`), with a real token and 100 CRDT files made through
 * `POST /api/files`; Redis fan-out and the update log in Postgres as deployed.
 * Baseline in the same run: a bare `@hocuspocus/server` `Server` (no extensions: no auth, no
 * persistence) in a process of its own.
 *
 * Clients: ours speaks plain y-websocket framing on `/ws/crdt/{fileId}`, so its clients are stock
 * `y-websocket` `WebsocketProvider`s, as deployed. A bare Hocuspocus server expects its own framing
 * (document-name prefix, auth message), so its clients are `HocuspocusProvider`s. Both servers run
 * the same engine (Hocuspocus 4) decoding, applying and re-encoding the same Yjs updates, and both
 * client kinds do the same Yjs work per update, so the difference measured is what our service
 * adds (wire adapter, upgrade auth, update log, awareness guard, Redis fan-out, gateway hop) — not
 * a different client. `BENCH_COLLAB_WIRE=hocuspocus` makes ours use HocuspocusProviders on
 * `/ws/hocuspocus/{fileId}` too, to see the client kind's share.
 *
 * The clients run in a process of their own (this file, role `clients`), one per side, so the
 * servers do not share an event loop with them; on a 2-core machine they still share the CPU.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import { createTenant, setTenantPassword } from '@cloudillo/contracts';
import { apiClient, dataOf, loginAs } from '@cloudillo/testing';
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';

import { startDeployment } from './deployment';
import { cpuSnapshot, cpuSpent, requireEnv, ROOT, rssMiB, stopApp } from './harness';

const CLIENTS = Number(process.env['BENCH_CLIENTS'] ?? 1_000);
const DOCS = Number(process.env['BENCH_DOCS'] ?? 100);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 200);
const WARMUP_ROUNDS = 10;
const DIRECT = process.env['BENCH_COLLAB_DIRECT'] === '1';
const OUR_WIRE: Wire =
  process.env['BENCH_COLLAB_WIRE'] === 'hocuspocus' ? 'hocuspocus' : 'y-websocket';
const BASE_PORT = 18_700;
const BASELINE_PORT = 18_799;
const TENANT = 'alice.collab.localhost';
/** Sockets opened at once while connecting (each is authorised over NATS on our side). */
const CONNECTING = 50;
/** Seconds the connected clients stay idle before their RSS is read. */
const SETTLE_SECONDS = 3;
const ROUND_TIMEOUT_MS = 10_000;

type Wire = 'y-websocket' | 'hocuspocus';

/** What the bench process asks a clients process to do. */
interface ClientsPlan {
  wire: Wire;
  /** y-websocket: `ws://…/ws/crdt` (the room is appended); hocuspocus: the whole socket URL. */
  url: string;
  /** hocuspocus on our service: the socket URL per document, `{doc}` replaced by its id. */
  perDocUrl?: boolean;
  /** Sends Host `cl-o.<host>` (tenant resolution); unset for the bare server. */
  host?: string;
  token?: string;
  docs: string[];
  perDoc: number;
}

interface RoundsResult {
  deliveries: number;
  missing: number;
  seconds: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

type ToClients =
  | { cmd: 'warm'; plan: ClientsPlan; docId: string }
  | { cmd: 'connect'; plan: ClientsPlan }
  | { cmd: 'rounds'; rounds: number };
type FromClients =
  | { ev: 'warm' }
  | { ev: 'connected'; seconds: number; extensions: string }
  | { ev: 'rounds'; result: RoundsResult; disconnects: number }
  | { ev: 'error'; message: string };

// ---------------------------------------------------------------------------------------------
// Role `clients`: every client of one side, in a process of its own.

interface Client {
  text: Y.Text;
  close(): void;
  synced(): boolean;
}

type WebSocketClass = new (url: string | URL, protocols?: string | string[]) => WebSocket;

function hostedWebSocket(host: string | undefined): WebSocketClass {
  if (!host) return WebSocket;
  return class HostedWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { headers: { Host: `cl-o.${host}` } });
    }
  };
}

let disconnects = 0;
let extensions = '';

function openClient(plan: ClientsPlan, docId: string): Client {
  const doc = new Y.Doc();
  const Polyfill = hostedWebSocket(plan.host);
  // Records the negotiated extensions (permessage-deflate or none) of the first socket.
  class Recording extends Polyfill {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.once('open', () => (extensions ||= this.extensions || 'none'));
    }
  }
  if (plan.wire === 'y-websocket') {
    const provider = new WebsocketProvider(plan.url, docId, doc, {
      WebSocketPolyfill: Recording as unknown as typeof globalThis.WebSocket,
      params: plan.token ? { token: plan.token } : {},
      // Providers of one room in one process would otherwise share updates without the server.
      disableBc: true,
    });
    let wasConnected = false;
    provider.on('status', ({ status }) => {
      if (status === 'connected') wasConnected = true;
      else if (status === 'disconnected' && wasConnected) disconnects++;
    });
    return {
      text: doc.getText('t'),
      synced: () => provider.synced,
      close: () => {
        provider.destroy();
        doc.destroy();
      },
    };
  }
  const url = plan.perDocUrl ? plan.url.replace('{doc}', encodeURIComponent(docId)) : plan.url;
  // One socket per provider, as each browser tab has (the test helpers' way of passing a polyfill).
  const socket = new HocuspocusProviderWebsocket({ url, WebSocketPolyfill: Recording });
  const provider = new HocuspocusProvider({
    websocketProvider: socket,
    name: docId,
    document: doc,
    // Ours authorised the socket at the upgrade (token in the URL); the bare server takes any.
    token: 'bench',
    onDisconnect: () => disconnects++,
  });
  provider.attach(); // a socket passed in is shared: providers attach themselves
  return {
    text: doc.getText('t'),
    synced: () => provider.isSynced,
    close: () => {
      provider.destroy();
      socket.destroy();
      doc.destroy();
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntil(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

function percentile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

async function clientsMain(): Promise<void> {
  const send = (message: FromClients) => process.send?.(message);
  let plan: ClientsPlan | undefined;
  /** writers[d] writes document d; readers[d] observe it. */
  const writers: Client[] = [];
  const all: Client[] = [];
  const latencies: number[] = [];
  let pending = 0;
  /** Rounds are numbered across calls: a late delivery of an earlier round is not counted. */
  let round = -1;
  let roundDone: (() => void) | undefined;
  const MARKER = /<(\d+):([\d.]+)>/g;

  const connect = async (p: ClientsPlan) => {
    plan = p;
    disconnects = 0; // not the warm-up clients leaving
    const started = performance.now();
    const slots = p.docs.flatMap((docId) =>
      Array.from({ length: p.perDoc }, (_, i) => ({ docId, i })),
    );
    let next = 0;
    await Promise.all(
      Array.from({ length: CONNECTING }, async () => {
        while (next < slots.length) {
          const { docId, i } = slots[next++] as { docId: string; i: number };
          const client = openClient(p, docId);
          all.push(client);
          if (i === 0) writers.push(client);
          else
            client.text.observe((event) => {
              const now = performance.now();
              for (const op of event.delta)
                if (typeof op.insert === 'string')
                  for (const m of op.insert.matchAll(MARKER)) {
                    if (Number(m[1]) !== round) continue;
                    latencies.push(now - Number(m[2]));
                    if (--pending === 0) roundDone?.();
                  }
            });
          await waitUntil(client.synced, 30_000, `sync of ${docId}`);
        }
      }),
    );
    send({ ev: 'connected', seconds: (performance.now() - started) / 1000, extensions });
  };

  const rounds = async (count: number) => {
    if (!plan) throw new Error('not connected');
    const perRound = writers.length * (plan.perDoc - 1);
    latencies.length = 0;
    let missing = 0;
    const started = performance.now();
    for (let r = 0; r < count; r++) {
      round++;
      pending = perRound;
      const done = new Promise<void>((resolve) => (roundDone = resolve));
      for (const writer of writers)
        writer.text.insert(writer.text.length, `<${round}:${performance.now().toFixed(3)}>`);
      const timedOut = await Promise.race([
        done.then(() => false),
        sleep(ROUND_TIMEOUT_MS).then(() => true),
      ]);
      if (timedOut) missing += pending;
    }
    const seconds = (performance.now() - started) / 1000;
    const sorted = Float64Array.from(latencies).sort();
    send({
      ev: 'rounds',
      disconnects,
      result: {
        deliveries: sorted.length,
        missing,
        seconds,
        p50: percentile(sorted, 0.5),
        p95: percentile(sorted, 0.95),
        p99: percentile(sorted, 0.99),
        max: sorted[sorted.length - 1] ?? 0,
      },
    });
  };

  /** Two clients of a document of its own exchange an edit and leave: the server's code is warm. */
  const warm = async (p: ClientsPlan, docId: string) => {
    const [writer, reader] = [openClient(p, docId), openClient(p, docId)];
    await waitUntil(() => writer.synced() && reader.synced(), 30_000, `sync of ${docId}`);
    writer.text.insert(0, 'warm');
    await waitUntil(() => reader.text.toString() === 'warm', 10_000, 'the warm-up edit');
    writer.close();
    reader.close();
    send({ ev: 'warm' });
  };

  // Every provider adds an exit listener.
  process.setMaxListeners(0);
  process.on('message', (message: ToClients) => {
    const task =
      message.cmd === 'warm'
        ? warm(message.plan, message.docId)
        : message.cmd === 'connect'
          ? connect(message.plan)
          : rounds(message.rounds);
    task.catch((error: unknown) => send({ ev: 'error', message: String(error) }));
  });
  process.on('disconnect', () => {
    for (const client of all) client.close();
    process.exit(0);
  });
}

/** The baseline: a bare Hocuspocus server (no extensions), nothing else loaded in its process. */
const BASELINE = `
const { Server } = require('@hocuspocus/server');
const server = new Server({ port: ${BASELINE_PORT}, address: '127.0.0.1', quiet: true, stopOnSignals: false });
server.listen().then(() => console.log('ready on ${BASELINE_PORT}'));
process.on('SIGTERM', () => server.destroy().finally(() => process.exit(0)));
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

// ---------------------------------------------------------------------------------------------
// The bench process.

/** This file again, as the clients process. */
function spawnClients(): ChildProcess {
  return spawn(process.execPath, [__filename, 'clients'], {
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

function ask<E extends FromClients['ev']>(
  child: ChildProcess,
  message: ToClients,
  ev: E,
): Promise<Extract<FromClients, { ev: E }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: FromClients) => {
      if (reply.ev !== ev && reply.ev !== 'error') return;
      child.off('message', onMessage);
      if (reply.ev === 'error') reject(new Error(`clients: ${reply.message}`));
      else resolve(reply as Extract<FromClients, { ev: E }>);
    };
    child.on('message', onMessage);
    child.send(message);
  });
}

interface SideResult {
  rounds: RoundsResult;
  perSecond: number;
  connectSeconds: number;
  extensions: string;
  disconnects: number;
  rssBefore: number;
  rssIdle: number;
  rssPeak: number;
  rssAfter: number;
  /** RSS of other processes (the gateway), before connecting and with every client idle. */
  others: Record<string, { before: number; idle: number }>;
  cpu: string;
}

/**
 * Warms the server up on `warmDoc`, connects every client of `plan`, lets them idle, then runs the
 * rounds; the server's figures.
 */
async function runSide(
  plan: ClientsPlan,
  warmDoc: string,
  serverPid: number | undefined,
  cpuOf: Record<string, number | undefined>,
  others: Record<string, number | undefined> = {},
): Promise<SideResult> {
  const clients = spawnClients();
  try {
    await ask(clients, { cmd: 'warm', plan, docId: warmDoc }, 'warm');
    await sleep(1000);
    const rssBefore = rssMiB(serverPid);
    const othersBefore = Object.entries(others).map(([name, pid]) => [name, rssMiB(pid)] as const);
    const connected = await ask(clients, { cmd: 'connect', plan }, 'connected');
    await sleep(SETTLE_SECONDS * 1000);
    const rssIdle = rssMiB(serverPid);
    const othersIdle = Object.fromEntries(
      othersBefore.map(([name, before]) => [name, { before, idle: rssMiB(others[name]) }]),
    );
    await ask(clients, { cmd: 'rounds', rounds: WARMUP_ROUNDS }, 'rounds');
    let rssPeak = rssMiB(serverPid);
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMiB(serverPid))), 100);
    const sources = { ...cpuOf, clients: clients.pid };
    const cpuBefore = cpuSnapshot(sources);
    const measured = await ask(clients, { cmd: 'rounds', rounds: ROUNDS }, 'rounds');
    const cpu = cpuSpent(cpuBefore, cpuSnapshot(sources));
    clearInterval(sampler);
    const { result } = measured;
    return {
      rounds: result,
      perSecond: result.deliveries / result.seconds,
      connectSeconds: connected.seconds,
      extensions: connected.extensions,
      disconnects: measured.disconnects,
      rssBefore,
      rssIdle,
      rssPeak: Math.max(rssPeak, rssMiB(serverPid)),
      rssAfter: rssMiB(serverPid),
      others: othersIdle,
      cpu,
    };
  } finally {
    clients.disconnect();
    await stopApp(clients);
  }
}

function show(label: string, s: SideResult): void {
  const r = s.rounds;
  const idlePer1000 = ((s.rssIdle - s.rssBefore) * 1000) / CLIENTS;
  console.log(`${label}:`);
  console.log(
    `  connected ${CLIENTS} clients in ${s.connectSeconds.toFixed(1)} s (extensions: ${s.extensions}); disconnects after connecting: ${s.disconnects}`,
  );
  console.log(
    `  fan-out: ${r.deliveries} deliveries in ${r.seconds.toFixed(1)} s = ${(r.deliveries / r.seconds).toFixed(0)} deliveries/s; latency p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms (goal < 50), p99 ${r.p99.toFixed(1)} ms, max ${r.max.toFixed(1)} ms; missing ${r.missing}`,
  );
  console.log(
    `  server RSS (VmRSS of its process): before ${s.rssBefore.toFixed(0)} MiB, ${CLIENTS} idle ${s.rssIdle.toFixed(0)} MiB (+${idlePer1000.toFixed(1)} MiB per 1,000 sockets), peak during rounds ${s.rssPeak.toFixed(0)} MiB, after ${s.rssAfter.toFixed(0)} MiB`,
  );
  for (const [name, { before, idle }] of Object.entries(s.others))
    console.log(
      `  ${name} RSS: before ${before.toFixed(0)} MiB, ${CLIENTS} idle ${idle.toFixed(0)} MiB (+${(((idle - before) * 1000) / CLIENTS).toFixed(1)} MiB per 1,000 sockets)`,
    );
  console.log(`  CPU seconds during the rounds: ${s.cpu}`);
}

async function main(): Promise<void> {
  const databaseUrl = requireEnv('DATABASE_URL');
  const perDoc = Math.max(2, Math.round(CLIENTS / DOCS));
  console.log(
    `${DOCS} documents × ${perDoc} clients = ${DOCS * perDoc} sockets, ${ROUNDS} rounds (after ${WARMUP_ROUNDS} warm-up), one writer per document each round, all documents at once`,
  );
  const node = await startDeployment({
    databaseUrl,
    name: 'collab',
    basePort: BASE_PORT,
    baseIdTag: 'collab.localhost',
    collaboration: true,
  });
  const baselineDocs = Array.from({ length: DOCS + 1 }, (_, d) => `doc-${d}`);
  try {
    await node.rpc.request(createTenant, { idTag: TENANT });
    await node.rpc.request(setTenantPassword, { idTag: TENANT, password: 'bench-password' });
    const call = apiClient(node.ports.gateway);
    const token = await loginAs(call, TENANT, 'bench-password');
    const fileIds: string[] = [];
    for (let d = 0; d <= DOCS; d++) {
      const res = await call(TENANT, 'POST', '/api/files', {
        token,
        body: { fileTp: 'CRDT', fileName: `fanout-${d}` },
      });
      if (res.status !== 201) throw new Error(`file not created: ${res.status} ${res.text}`);
      fileIds.push(dataOf<{ fileId: string }>(res).fileId);
    }

    // The baseline first, on a quiet machine (the deployment idles meanwhile).
    const bare = await startBaseline();
    let baseline: SideResult;
    try {
      baseline = await runSide(
        {
          wire: 'hocuspocus',
          url: `ws://127.0.0.1:${BASELINE_PORT}`,
          docs: baselineDocs.slice(1),
          perDoc,
        },
        baselineDocs[0] as string,
        bare.pid,
        { server: bare.pid },
      );
    } finally {
      await stopApp(bare);
    }
    show(`bare Hocuspocus 4 (no extensions), HocuspocusProvider clients`, baseline);

    const service = node.processes.collaboration;
    const port = DIRECT ? node.ports.collaboration : node.ports.gateway;
    const path = OUR_WIRE === 'hocuspocus' ? 'hocuspocus' : 'crdt';
    const ours = await runSide(
      {
        wire: OUR_WIRE,
        url:
          OUR_WIRE === 'hocuspocus'
            ? `ws://127.0.0.1:${port}/ws/hocuspocus/{doc}?token=${encodeURIComponent(token)}`
            : `ws://127.0.0.1:${port}/ws/crdt`,
        perDocUrl: OUR_WIRE === 'hocuspocus',
        host: TENANT,
        token,
        docs: fileIds.slice(1),
        perDoc,
      },
      fileIds[0] as string,
      service?.pid,
      {
        collaboration: service?.pid,
        gateway: node.processes.gateway.pid,
        blob: node.processes.blob.pid,
      },
      DIRECT ? {} : { gateway: node.processes.gateway.pid },
    );
    show(
      `collaboration service, ${OUR_WIRE === 'hocuspocus' ? 'HocuspocusProvider' : 'y-websocket WebsocketProvider'} clients on /ws/${path}/{fileId}, ${DIRECT ? 'straight to the service (Host cl-o.<idTag>)' : 'through the gateway'}`,
      ours,
    );
    console.log(
      `ratio ours / bare: throughput ${(ours.perSecond / baseline.perSecond).toFixed(2)} (goal ≥ 0.8), p95 ${(ours.rounds.p95 / baseline.rounds.p95).toFixed(2)} (ours ${ours.rounds.p95.toFixed(1)} ms, goal < 50 ms), idle RSS per 1,000 sockets ${(((ours.rssIdle - ours.rssBefore) * 1000) / CLIENTS).toFixed(1)} vs ${(((baseline.rssIdle - baseline.rssBefore) * 1000) / CLIENTS).toFixed(1)} MiB`,
    );
  } finally {
    await node.stop();
  }
}

const role = process.argv[2];
(role === 'clients' ? clientsMain() : main()).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
  if (role) process.exit(1);
});
