import { randomUUID } from 'node:crypto';

import { z } from 'zod';

/**
 * A client's bus frame (protocol §7.1): `{id, cmd, data}`. The id comes back in the ack so the
 * client can match it; `data` is the command's own business (none is read here yet).
 */
export const clientFrame = z.object({
  id: z.string().max(128),
  cmd: z.string().min(1).max(64),
  data: z.unknown().optional(),
});
export type ClientFrame = z.infer<typeof clientFrame>;

/** What the server sends: an ack of a client frame or a push. */
export interface ServerFrame {
  id: string;
  cmd: string;
  data: unknown;
}

/** The frame a text message holds, or undefined when it is not JSON or not a bus frame. */
export function parseClientFrame(text: string): ClientFrame | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = clientFrame.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

/**
 * The answer to a client command, as the reference shapes it (`BusMessage::ack` in
 * cloudillo-rs ws_bus.rs): `ping` is acked with status `pong`, anything else with `ok`.
 */
export function ackOf(frame: ClientFrame): ServerFrame {
  return { id: frame.id, cmd: 'ack', data: { status: frame.cmd === 'ping' ? 'pong' : 'ok' } };
}

/** A server push; each gets a fresh id, as the reference's `BusMessage::new` does. */
export function pushOf(cmd: string, data: unknown): ServerFrame {
  return { id: randomUUID(), cmd, data };
}
