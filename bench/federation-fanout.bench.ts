/**
 * Issue 5, outbound: one POST fanned out to 10,000 followers spread over 20 local peers (each a
 * small HTTP server answering 201, reached through the peer map as real nodes are): deliveries/s,
 * time until the last one lands, and the delivering process's memory. Baseline in the same run:
 * the same 10,000 POSTs of the same token sent straight from this process (no queue, no breaker,
 * no retries) at the same concurrency.
 */
import { createServer, type Server } from 'node:http';
import { Agent, request } from 'node:http';

import { createTenant, setTenantPassword, updateRelationship } from '@cloudillo/contracts';
import { apiClient, freePort, loginAs } from '@cloudillo/testing';

import { startDeployment } from './deployment';
import { requireEnv, rssMiB } from './harness';

const FOLLOWERS = Number(process.env['BENCH_FOLLOWERS'] ?? 10_000);
const PEERS = 20;
const CONCURRENCY = 32;
const ALICE = 'alice.fanout.localhost';
const followerOf = (j: number) => `f${j}.peer${j % PEERS}.fanout.localhost`;

interface Peer {
  port: number;
  server: Server;
  received: number;
  lastAt: number;
  /** One body as delivered (the baseline sends the same bytes). */
  sample?: string;
}

async function startPeer(): Promise<Peer> {
  const port = await freePort();
  const peer: Peer = { port, server: createServer(), received: 0, lastAt: 0 };
  peer.server.on('request', (req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      if (peer.sample === undefined) body += chunk.toString();
    });
    req.on('end', () => {
      peer.sample ??= body;
      peer.received++;
      peer.lastAt = Date.now();
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end('{"data":{}}');
    });
  });
  peer.server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => peer.server.listen(port, '127.0.0.1', resolve));
  return peer;
}

/** The baseline: POSTs `body` to every follower's peer straight from here. */
async function rawFanOut(peers: Peer[], body: string): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let next = 0;
  const started = Date.now();
  const one = (j: number) =>
    new Promise<void>((resolve, reject) => {
      const peer = peers[j % PEERS] as Peer;
      const req = request(
        {
          host: '127.0.0.1',
          port: peer.port,
          method: 'POST',
          path: '/api/inbox',
          agent,
          headers: {
            Host: `cl-o.${followerOf(j)}`,
            'Content-Type': 'application/json',
            'Content-Length': Buffer.byteLength(body),
          },
        },
        (res) => {
          res.resume();
          res.on('end', resolve);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < FOLLOWERS) await one(next++);
    }),
  );
  agent.destroy();
  return (Date.now() - started) / 1000;
}

async function main(): Promise<void> {
  const databaseUrl = requireEnv('DATABASE_URL');
  const peers: Peer[] = [];
  for (let i = 0; i < PEERS; i++) peers.push(await startPeer());
  const node = await startDeployment({
    databaseUrl,
    name: 'fanout',
    basePort: 18_600,
    baseIdTag: 'fanout.localhost',
    peers: Object.fromEntries(
      peers.map((p, i) => [`*.peer${i}.fanout.localhost`, `http://127.0.0.1:${p.port}`]),
    ),
    federationEnv: { FED_DELIVERY_CONCURRENCY: String(CONCURRENCY) },
  });
  try {
    await node.rpc.request(createTenant, { idTag: ALICE });
    await node.rpc.request(setTenantPassword, { idTag: ALICE, password: 'bench-password' });
    const call = apiClient(node.ports.gateway);
    const token = await loginAs(call, ALICE, 'bench-password');
    let made = 0;
    const setupStarted = Date.now();
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (made < FOLLOWERS) {
          const j = made++;
          await node.rpc.request(updateRelationship, {
            tenant: ALICE,
            peer: followerOf(j),
            set: { follower: true },
          });
        }
      }),
    );
    console.log(
      `${FOLLOWERS} followers over ${PEERS} peers set up in ${((Date.now() - setupStarted) / 1000).toFixed(1)} s`,
    );

    const federationPid = node.processes.federation.pid;
    const rssBefore = rssMiB(federationPid);
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, rssMiB(federationPid));
    }, 100);
    const started = Date.now();
    const res = await call(ALICE, 'POST', '/api/actions', {
      token,
      body: { type: 'POST', content: 'hello, ten thousand followers', visibility: 'P' },
    });
    if (res.status !== 201) throw new Error(`POST /api/actions answered ${res.status}`);
    const accepted = (Date.now() - started) / 1000;
    const total = () => peers.reduce((n, p) => n + p.received, 0);
    while (total() < FOLLOWERS) await new Promise((r) => setTimeout(r, 50));
    const last = Math.max(...peers.map((p) => p.lastAt));
    clearInterval(sampler);
    const seconds = (last - started) / 1000;
    const platformRate = FOLLOWERS / seconds;
    console.log(
      `platform: POST answered in ${accepted.toFixed(2)} s; last of ${FOLLOWERS} deliveries landed after ${seconds.toFixed(2)} s = ${platformRate.toFixed(0)} deliveries/s`,
    );
    console.log(
      `action-federation RSS: ${rssBefore.toFixed(0)} MiB before, peak ${rssPeak.toFixed(0)} MiB during the fan-out`,
    );
    const body = peers[0]?.sample ?? '';
    for (const p of peers) p.received = 0;
    const rawSeconds = await rawFanOut(peers, body);
    const rawRate = FOLLOWERS / rawSeconds;
    console.log(
      `baseline (same POSTs straight from this process, concurrency ${CONCURRENCY}): ${rawSeconds.toFixed(2)} s = ${rawRate.toFixed(0)} deliveries/s`,
    );
    console.log(`ratio platform/baseline: ${(platformRate / rawRate).toFixed(2)}`);
  } finally {
    await node.stop();
    for (const p of peers) p.server.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
