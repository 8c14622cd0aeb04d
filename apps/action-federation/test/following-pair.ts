import { updateRelationship } from '@cloudillo/contracts';
import { freePort } from '@cloudillo/testing';

import { type FederationConfig } from '../src/config';
import { type FederationStack, startFederationStack } from './federation-stack';

/**
 * Two deployments on loopback where `b`'s tenant follows `a`'s (tenants `alice.<domainA>` and
 * `bob.<domainB>`): node A's actions go to Bob. Node A's federation settings may be changed
 * (`workers: false` when child processes run its workers).
 */
export async function startFollowingPair(options: {
  domainA: string;
  domainB: string;
  configA?: Partial<FederationConfig>;
}): Promise<{ a: FederationStack; b: FederationStack; alice: string; bob: string }> {
  const [alice, bob] = [`alice.${options.domainA}`, `bob.${options.domainB}`];
  const [portA, portB] = [await freePort(), await freePort()];
  const a = await startFederationStack({
    tenants: [alice],
    baseIdTag: options.domainA,
    gatewayPort: portA,
    peers: { [`*.${options.domainB}`]: `http://127.0.0.1:${portB}` },
    ...(options.configA ? { config: options.configA } : {}),
  });
  const b = await startFederationStack({
    tenants: [bob],
    baseIdTag: options.domainB,
    gatewayPort: portB,
    peers: { [`*.${options.domainA}`]: `http://127.0.0.1:${portA}` },
  });
  await a.identity.rpc.request(updateRelationship, {
    tenant: alice,
    peer: bob,
    set: { follower: true },
  });
  await b.identity.rpc.request(updateRelationship, {
    tenant: bob,
    peer: alice,
    set: { following: true },
  });
  return { a, b, alice, bob };
}
