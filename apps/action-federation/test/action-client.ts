import { dataOf, type HttpResult, waitFor } from '@cloudillo/testing';

import { type ActionView } from '../src/actions/action-view';
import { type FederationStack } from './federation-stack';

/**
 * What the federation suites do as a tenant's client, through the tenant's own deployment:
 * create, read, answer, and wait for an action to reach a status.
 */
export function actionClient(stackOf: (idTag: string) => FederationStack) {
  const call = (idTag: string, method: string, path: string, body?: unknown) => {
    const stack = stackOf(idTag);
    return stack.call(idTag, method, path, {
      token: stack.tokens[idTag],
      ...(body === undefined ? {} : { body }),
    });
  };
  const create = async (idTag: string, body: Record<string, unknown>) => {
    const res = await call(idTag, 'POST', '/api/actions', body);
    // The body goes along so a refusal says why.
    expect([body['type'], res.status, res.text]).toEqual([body['type'], 201, res.text]);
    return dataOf<ActionView>(res);
  };
  const actionOf = async (idTag: string, actionId: string) => {
    const res = await call(idTag, 'GET', `/api/actions/${actionId}`);
    return res.status === 200 ? dataOf<ActionView>(res) : undefined;
  };
  const actionsOf = async (idTag: string, query = '') =>
    dataOf<ActionView[]>(await call(idTag, 'GET', `/api/actions${query}`));
  /** Where an action stands at a tenant, for a failure message: its status, F, or nothing. */
  const standing = async (idTag: string, actionId: string) => {
    const found = await actionOf(idTag, actionId).catch(() => undefined);
    if (found) return `status ${found.status ?? '?'}`;
    const failed = await actionsOf(idTag, '?status=F').catch(() => []);
    return failed.some((a) => a.actionId === actionId) ? 'status F' : 'not there';
  };
  const arrived = async (idTag: string, actionId: string, status = 'A') => {
    try {
      return await waitFor(
        async () => {
          // The view carries only the statuses the client knows; F and V rows are found by filter.
          if (status === 'F' || status === 'V')
            return (await actionsOf(idTag, `?status=${status}`)).find(
              (a) => a.actionId === actionId,
            );
          const found = await actionOf(idTag, actionId);
          return found?.status === status ? found : undefined;
        },
        // Generous: CI runs several suites at once on two cores.
        30_000,
        `${actionId} as ${status} at ${idTag}`,
      );
    } catch (error) {
      // What is there instead tells a lost delivery from a refused or a slow one.
      throw new Error(`${(error as Error).message} (${await standing(idTag, actionId)})`);
    }
  };
  /** accept, reject, dismiss, publish, cancel: `POST /api/actions/{id}/{verb}`. */
  const answer = (idTag: string, actionId: string, verb: string): Promise<HttpResult> =>
    call(idTag, 'POST', `/api/actions/${actionId}/${verb}`);
  return { call, create, actionOf, actionsOf, standing, arrived, answer };
}
