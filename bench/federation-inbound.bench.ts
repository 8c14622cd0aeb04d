/**
 * Issue 5, inbound: tokens/s a deployment answers 201 at `POST /api/inbox` (through its gateway)
 * and tokens/s that reach active (signature verified against the issuer's key, permissions,
 * stored), against the raw ES384 verify rate of node:crypto measured in the same run (goal ≥ 0.5
 * end to end). Then the same tokens re-delivered: goal ≥ 10× the first-delivery rate.
 */
import { type KeyObject, verify } from 'node:crypto';

import {
  createTenant,
  resolveKey,
  signWithTenantKey,
  updateRelationship,
} from '@cloudillo/contracts';
import { importPublicKey } from '@cloudillo/crypto';
import { Client } from 'pg';
import { Pool } from 'undici';

import { startDeployment } from './deployment';
import { cpuSnapshot, cpuSpent, requireEnv, rssMiB, secondsSince } from './harness';

type CpuUse = ReturnType<typeof cpuSnapshot>;

const TOKENS = Number(process.env['BENCH_TOKENS'] ?? 3_000);
/** Tokens delivered (and re-delivered) before the measured ones; BENCH_WARMUP=0 measures cold. */
const WARMUP = Number(process.env['BENCH_WARMUP'] ?? 2_000);
/** BENCH_INBOUND_DIRECT=1: deliver to the federation service itself, without the gateway hop. */
const DIRECT = process.env['BENCH_INBOUND_DIRECT'] === '1';
/** Times the measured tokens are re-delivered: one pass of 3,000 is over in half a second. */
const REPLAYS = Number(process.env['BENCH_REPLAYS'] ?? 5);
const CONCURRENCY = 32;
const ALICE = 'alice.inbound.localhost';
const BOB = 'bob.inbound.localhost';

/** Raw ES384 verifications per second of one token with node:crypto, for `seconds`. */
function rawVerifyRate(token: string, key: KeyObject, seconds: number): number {
  const [h, p, s] = token.split('.') as [string, string, string];
  const data = Buffer.from(`${h}.${p}`);
  const signature = Buffer.from(s, 'base64url');
  let n = 0;
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    for (let i = 0; i < 50; i++) {
      if (!verify('sha384', data, { key, dsaEncoding: 'ieee-p1363' }, signature))
        throw new Error('raw verify failed');
    }
    n += 50;
  }
  return n / seconds;
}

/**
 * POSTs every token to bob's inbox at CONCURRENCY kept-alive connections (one request in flight on
 * each, as a peer's delivery worker sends); resolves with the seconds it took. undici rather than
 * node:http: the client shares the 2 cores with the deployment, and node:http's client cost a
 * third of a re-delivery's CPU.
 */
async function deliverAll(port: number, tokens: string[]): Promise<number> {
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: CONCURRENCY, pipelining: 1 });
  let next = 0;
  let failures = 0;
  const started = process.hrtime.bigint();
  const one = async (token: string) => {
    try {
      const { statusCode, body } = await pool.request({
        method: 'POST',
        path: '/api/inbox',
        headers: { host: `cl-o.${BOB}`, 'content-type': 'application/json' },
        body: JSON.stringify({ token }),
      });
      await body.dump();
      if (statusCode !== 201) failures++;
    } catch {
      failures++;
    }
  };
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < tokens.length) await one(tokens[next++] as string);
    }),
  );
  await pool.close();
  if (failures > 0) throw new Error(`${failures} deliveries were not answered 201`);
  return secondsSince(started);
}

async function main(): Promise<void> {
  const databaseUrl = requireEnv('DATABASE_URL');
  const node = await startDeployment({
    databaseUrl,
    name: 'inbound',
    basePort: 18_500,
    baseIdTag: 'inbound.localhost',
  });
  const pg = new Client({ connectionString: databaseUrl });
  await pg.connect();
  try {
    for (const idTag of [ALICE, BOB]) await node.rpc.request(createTenant, { idTag });
    await node.rpc.request(updateRelationship, {
      tenant: BOB,
      peer: ALICE,
      set: { following: true },
    });
    // Distinct POSTs from alice, signed by identity with her key, as her node would send them.
    const iat = Math.floor(Date.now() / 1000);
    const signPosts = async (count: number, label: string): Promise<string[]> => {
      const signedTokens: string[] = new Array<string>(count);
      let signed = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (signed < count) {
            const i = signed++;
            signedTokens[i] = (
              await node.rpc.request(signWithTenantKey, {
                idTag: ALICE,
                // Broadcast posts (no audience: a post addressed to bob would wait for approval).
                claims: { t: 'POST', c: `inbound benchmark ${label} post ${i}`, iat },
              })
            ).token;
          }
        }),
      );
      return signedTokens;
    };
    const warmTokens = await signPosts(WARMUP, 'warm-up');
    const tokens = await signPosts(TOKENS, 'measured');
    const kid = (
      JSON.parse(Buffer.from(tokens[0]?.split('.')[1] ?? '', 'base64url').toString()) as {
        k: string;
      }
    ).k;
    const { publicKey } = await node.rpc.request(resolveKey, { idTag: ALICE, keyId: kid });
    // Measured before and after the first delivery: this machine's speed drifts by a third within
    // minutes, and a baseline taken once made the ratio move with it.
    const rawRate = () => rawVerifyRate(tokens[0] as string, importPublicKey(publicKey), 3);
    const rawBefore = rawRate();

    const active = async () =>
      Number(
        (
          await pg.query(
            `select count(*)::int as n from "${node.schemas.federation}".actions where issuer = $1 and status = 'A'`,
            [ALICE],
          )
        ).rows[0].n,
      );
    /** Waits until `count` of alice's actions are active (verified and stored). */
    const untilActive = async (count: number) => {
      while ((await active()) < count) await new Promise((r) => setTimeout(r, 20));
    };
    const cpu = () =>
      cpuSnapshot({
        gateway: node.processes.gateway.pid,
        federation: node.processes.federation.pid,
        identity: node.processes.identity.pid,
        postgres: /^postgres/,
        redis: /redis-server/,
        nats: /nats-server/,
        bench: 'self',
      });
    const showCpu = (label: string, before: CpuUse, after: CpuUse) =>
      console.log(`  CPU seconds during ${label}: ${cpuSpent(before, after)}`);
    const inboxPort = DIRECT ? node.ports.federation : node.ports.gateway;
    if (DIRECT) console.log('delivering to the federation service directly (no gateway hop)');
    if (WARMUP > 0) {
      const warmStarted = process.hrtime.bigint();
      await deliverAll(inboxPort, warmTokens);
      await untilActive(WARMUP);
      const warmSeconds = secondsSince(warmStarted);
      await deliverAll(inboxPort, warmTokens);
      console.log(
        `warm-up: ${WARMUP} other tokens delivered (cold: ${(WARMUP / warmSeconds).toFixed(0)} tokens/s reaching active), then re-delivered`,
      );
    }
    const cpuBefore = cpu();
    const started = process.hrtime.bigint();
    const accepted = await deliverAll(inboxPort, tokens);
    await untilActive(WARMUP + TOKENS);
    const toActive = secondsSince(started);
    const answered = TOKENS / accepted;
    const verified = TOKENS / toActive;
    console.log(
      `first delivery of ${TOKENS} tokens at concurrency ${CONCURRENCY}: ${answered.toFixed(0)} tokens/s answered 201 (${accepted.toFixed(2)} s), ${verified.toFixed(0)} tokens/s reaching active (${toActive.toFixed(2)} s)`,
    );
    const cpuBetween = cpu();
    showCpu('first delivery', cpuBefore, cpuBetween);
    const rawAfter = rawRate();
    const raw = (rawBefore + rawAfter) / 2;
    console.log(
      `raw node:crypto ES384 verify: ${raw.toFixed(0)} tokens/s (one core; ${rawBefore.toFixed(0)} before, ${rawAfter.toFixed(0)} after)`,
    );
    console.log(`ratio active/raw verify: ${(verified / raw).toFixed(2)} (goal ≥ 0.5)`);

    const gatewayRss = () => rssMiB(node.processes.gateway.pid).toFixed(0);
    const rssBefore = gatewayRss();
    const cpuReplay = cpu();
    let again = 0;
    for (let round = 0; round < REPLAYS; round++) again += await deliverAll(inboxPort, tokens);
    showCpu(`re-delivery (${REPLAYS} passes)`, cpuReplay, cpu());
    // The gateway keeps the answers it replays (GATEWAY_REPLAY_ENTRIES, 0 turns that off).
    console.log(`  gateway RSS: ${rssBefore} MiB before re-delivery, ${gatewayRss()} MiB after`);
    const replayRate = (REPLAYS * TOKENS) / again;
    console.log(
      `re-delivery of the same ${TOKENS} tokens, ${REPLAYS} times: ${replayRate.toFixed(0)} tokens/s (${again.toFixed(2)} s); ratio to first delivery (to active): ${(replayRate / verified).toFixed(1)}× (goal ≥ 10×), to first 201s: ${(replayRate / answered).toFixed(1)}×`,
    );
    if ((await active()) !== WARMUP + TOKENS)
      throw new Error('re-delivery changed the number of actions');
  } finally {
    await pg.end();
    await node.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
