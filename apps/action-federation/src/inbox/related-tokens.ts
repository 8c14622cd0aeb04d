import { type ActionTypeRegistry, splitActionType } from '@cloudillo/protocol';

import { type CheckedToken } from './token-checks';

/** A related token the inbox keeps, with the raw token it was checked from. */
export interface KeptRelated {
  checked: CheckedToken;
  raw: string;
}

/**
 * Which of a delivery's related tokens (protocol §2.7 step 15) may ride along with the main one.
 * The reference takes any of them as pre-approved; a hostile peer could then plant whatever it
 * likes. Kept only: a token the main one names as its subject (the original of an APRV, a
 * REPOST, an INVT's conversation), as many as the main type delivers (one for `deliverSubject`
 * types, none otherwise), and never one that would change the receiver's relationships or
 * registration (CONN, FLLW, INVT, their DELs, IDP:REG) unless it is addressed to the receiver.
 * Returns what is kept and, for the log, why each other one was dropped.
 */
export function keepRelated(
  main: CheckedToken,
  related: { checked: CheckedToken; raw: string }[],
  tenant: string,
  registry: ActionTypeRegistry,
  changesReceiver: (t: string) => boolean,
): { kept: KeptRelated[]; dropped: { actionId: string; reason: string }[] } {
  const wanted = registry.lookup(main.claims.t)?.definition.behaviour?.deliverSubject ? 1 : 0;
  const kept: KeptRelated[] = [];
  const dropped: { actionId: string; reason: string }[] = [];
  for (const r of related) {
    const { actionId, claims } = r.checked;
    const reason =
      actionId !== main.claims.sub
        ? `not named by ${main.actionId} (its subject is ${main.claims.sub ?? 'none'})`
        : kept.length >= wanted
          ? `${main.claims.t} carries ${wanted} related token(s)`
          : changesReceiver(claims.t) && claims.aud !== tenant
            ? `a ${claims.t} addressed to ${claims.aud ?? 'nobody'} would change ${tenant}'s relationships`
            : undefined;
    if (reason) dropped.push({ actionId, reason });
    else kept.push(r);
  }
  return { kept, dropped };
}

/** Types whose processing changes the receiving tenant beyond storing a row. */
export function changesReceiverOf(hooksChangeRelationships: (t: string) => boolean) {
  return (t: string): boolean => hooksChangeRelationships(t) || splitActionType(t).type === 'IDP';
}
