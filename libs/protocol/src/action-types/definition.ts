import { type z } from 'zod';

import { type Visibility } from '../enums';

/** Whether a claim must, must not, or may appear on an action of the type. */
export type FieldRule = 'required' | 'forbidden' | 'optional';

/** How the pipeline treats an action type (protocol §2.3 "Behaviour"). */
export interface ActionBehaviour {
  /** Accepted from senders the receiver neither follows nor is connected to (§2.8). */
  allowUnknown?: boolean;
  /** Without `aud`, delivered to every follower. */
  broadcast?: boolean;
  /** A wall or community owner may approve it (APRV). */
  approvable?: boolean;
  /** Needs a subscription to its target or root (MSG in a CONV). */
  requiresSubscription?: boolean;
  /** The subject's token travels in `related`. */
  deliverSubject?: boolean;
  /** The subject's owner is a recipient too. */
  deliverToSubjectOwner?: boolean;
  /** Pushed to connected clients, never stored. */
  ephemeral?: boolean;
  /** Stored as `C` until the recipient accepts. */
  requiresAcceptance?: boolean;
  /** Others may subscribe to it (a container). */
  subscribable?: boolean;
  /** Its owner re-broadcasts its children. */
  relayChildren?: boolean;
  /** Never federated. */
  localOnly?: boolean;
  /** Only exchanged for an access token (§4), never stored or delivered. */
  tokenExchangeOnly?: boolean;
}

/**
 * An action type as data (the reference's DSL, protocol §2.3): which claims it takes, the schema of
 * its content, how the pipeline treats it, and its dedup key. A new type is a new definition
 * registered with the registry; the core pipeline reads only definitions.
 */
export interface ActionTypeDefinition {
  /** The base type (`POST`) or, for types named with a colon, the full name (`IDP:REG`). */
  type: string;
  /** Allowed subtypes; `DEL` retracts an earlier action and needs no content. */
  subTypes?: readonly string[];
  fields: { aud?: FieldRule; p?: FieldRule; sub?: FieldRule; a?: FieldRule; c?: FieldRule };
  /** The schema `c` must satisfy when present. */
  content?: z.ZodType;
  behaviour?: ActionBehaviour;
  defaults?: { flags?: string; visibility?: Visibility };
  /**
   * The dedup pattern: a newer action with the same key supersedes the older one. Placeholders:
   * `{type}` (base type), `{issuer}`, `{audience}`, `{subject}`, `{parent}`, `{content.<field>}`.
   */
  key?: string;
  /** The flag of the parent (`C`) or subject (`R`) that must allow this type. */
  gatedBy?: 'parent-comments' | 'subject-reactions';
}
