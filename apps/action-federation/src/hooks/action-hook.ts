import { type Relationship } from '@cloudillo/contracts';
import { type Action } from '@cloudillo/db-federation';
import { type ActionTokenClaims } from '@cloudillo/protocol';
import { type TenantRef } from '@cloudillo/tenancy';

/**
 * The row status an inbound action ends in (protocol §2.4): active, awaiting the user, a notice,
 * or dropped (an ignored request: kept as `D`, changes nothing).
 */
export type ReceivedStatus = 'A' | 'C' | 'N' | 'D';

export interface HookContext {
  tenant: TenantRef;
  actionId: string;
  claims: ActionTokenClaims;
}

/** An inbound action with its sender's relationship and the held actions it names. */
export type ReceiveContext = HookContext & {
  relation: Relationship;
  parent?: Action | undefined;
  subject?: Action | undefined;
};

/**
 * What a type does beyond being stored (protocol §2.9), registered per base type. The pipeline
 * calls the hooks of the action's type and nothing else: a new type brings its own.
 */
export interface ActionHook {
  /** Base types (`CONN`) or full names (`IDP:REG`) this hook handles. */
  readonly types: readonly string[];
  /** It changes relationships: the verifier must not reuse one it read before this hook ran. */
  readonly changesRelationships?: boolean;
  /** After this tenant signed and stored one of its own actions. */
  onCreate?(context: HookContext): Promise<void>;
  /** After an inbound action verified; may choose its status (default `A`). */
  onReceive?(context: ReceiveContext): Promise<ReceivedStatus | undefined>;
  /** After an inbound action was stored active (the counters it affects now include it). */
  onActivated?(context: HookContext): Promise<void>;
  /** After the tenant's user accepted an action that awaited them (`C` → `A`). */
  onAccept?(context: HookContext & { action: Action }): Promise<void>;
}

/** Injection token: the hooks a deployment runs (the built-ins plus any registered at startup). */
export const ACTION_HOOKS = Symbol('ACTION_HOOKS');
