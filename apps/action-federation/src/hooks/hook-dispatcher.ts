import { Inject, Injectable } from '@nestjs/common';
import { type Action } from '@cloudillo/db-federation';
import { splitActionType } from '@cloudillo/protocol';

import {
  ACTION_HOOKS,
  type ActionHook,
  type HookContext,
  type ReceiveContext,
  type ReceivedStatus,
} from './action-hook';

/** Routes each action to the hooks of its type (full name first, then base type). */
@Injectable()
export class HookDispatcher {
  private readonly byType = new Map<string, ActionHook[]>();

  constructor(@Inject(ACTION_HOOKS) hooks: readonly ActionHook[]) {
    for (const hook of hooks) {
      for (const type of hook.types)
        this.byType.set(type, [...(this.byType.get(type) ?? []), hook]);
    }
  }

  private hooksFor(t: string): ActionHook[] {
    return this.byType.get(t) ?? this.byType.get(splitActionType(t).type) ?? [];
  }

  /** Whether a hook of this type may change relationships. */
  changesRelationships(t: string): boolean {
    return this.hooksFor(t).some((hook) => hook.changesRelationships === true);
  }

  async onCreate(context: HookContext): Promise<void> {
    for (const hook of this.hooksFor(context.claims.t)) await hook.onCreate?.(context);
  }

  /** The status the first hook that chooses one picks; `A` when none does. */
  async onReceive(context: ReceiveContext): Promise<ReceivedStatus> {
    let status: ReceivedStatus | undefined;
    for (const hook of this.hooksFor(context.claims.t)) {
      const chosen = await hook.onReceive?.(context);
      status ??= chosen;
    }
    return status ?? 'A';
  }

  async onActivated(context: HookContext): Promise<void> {
    for (const hook of this.hooksFor(context.claims.t)) await hook.onActivated?.(context);
  }

  async onAccept(context: HookContext & { action: Action }): Promise<void> {
    for (const hook of this.hooksFor(context.claims.t)) await hook.onAccept?.(context);
  }
}
