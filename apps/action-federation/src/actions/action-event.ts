import { type actionStored, type EventPayload } from '@cloudillo/contracts';
import { type Action } from '@cloudillo/db-federation';
import { type TenantRef } from '@cloudillo/tenancy';

/** The `action-federation.action.stored.v1` payload for a row in its final state. */
export function actionEvent(
  tenant: TenantRef,
  action: Action,
  status: 'A' | 'C' | 'N' | 'D',
  tempId?: string,
): EventPayload<typeof actionStored> {
  return {
    tenant: tenant.idTag,
    actionId: action.actionId,
    type: action.type,
    ...(action.subType ? { subType: action.subType } : {}),
    issuer: action.issuer,
    ...(action.audience ? { audience: action.audience } : {}),
    ...(action.subject ? { subject: action.subject } : {}),
    status,
    ...(tempId ? { tempId } : {}),
  };
}
