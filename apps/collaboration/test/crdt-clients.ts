import { waitFor } from '@cloudillo/testing';
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';

import { hostedWebSocket } from './collab-stack';

/** A stock y-websocket client of a tenant's document, through the gateway. */
export interface DocClient {
  doc: Y.Doc;
  provider: WebsocketProvider;
  text: Y.Text;
  close(): void;
}

export async function openDoc(
  gatewayPort: number,
  idTag: string,
  fileId: string,
  params: Record<string, string>,
): Promise<DocClient> {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(`ws://127.0.0.1:${gatewayPort}/ws/crdt`, fileId, doc, {
    WebSocketPolyfill: hostedWebSocket(idTag) as unknown as typeof globalThis.WebSocket,
    params,
    // Providers of one room in one process would otherwise share updates without the server.
    disableBc: true,
    // No retries by default: a test sees the first refusal.
    maxBackoffTime: 200,
  });
  await waitFor(async () => provider.synced, 10_000, `sync of ${fileId}`);
  return {
    doc,
    provider,
    text: doc.getText('t'),
    close: () => {
      provider.destroy();
      doc.destroy();
    },
  };
}

/** The close code a raw socket to `path` receives (the upgrade is accepted, then closed). */
export function closeCodeOf(
  gatewayPort: number,
  idTag: string,
  path: string,
  send?: (ws: WebSocket) => void,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${gatewayPort}${path}`, {
      headers: { Host: `cl-o.${idTag}` },
    });
    ws.on('open', () => send?.(ws));
    ws.on('close', (code) => resolve(code));
    ws.on('error', reject);
  });
}
