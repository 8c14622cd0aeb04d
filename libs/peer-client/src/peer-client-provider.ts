import { type Provider } from '@nestjs/common';
import { PeerDirectory } from '@cloudillo/protocol';

import { PeerClient } from './peer-client';

/** Peers answer services with small JSON documents (profiles, keys, descriptors, tokens). */
const PEER_REPLY_MAX_BYTES = 64 * 1024;

/**
 * The `PeerClient` of a service, from its settings: the peer map (FEDERATION_PEER_MAP, local
 * multi-node runs) and the deadline of a request. Uses the module's `PeerDirectory` when it
 * provides one.
 */
export function peerClientProvider(settings: {
  peers: Record<string, string>;
  peerTimeoutMs: number;
}): Provider {
  return {
    provide: PeerClient,
    inject: [{ token: PeerDirectory, optional: true }],
    useFactory: (directory: PeerDirectory | undefined) =>
      new PeerClient({
        directory: directory ?? new PeerDirectory(settings.peers),
        timeoutMs: settings.peerTimeoutMs,
        maxBytes: PEER_REPLY_MAX_BYTES,
      }),
  };
}
