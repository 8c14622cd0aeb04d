import { type ContractClient, signWithTenantKey } from '@cloudillo/contracts';

/**
 * Signs `claims` for `idTag` with a varying nonce `_` until the token satisfies `accept`, as a
 * sender does to show proof of work (protocol §2.8: the token ends with N "A" characters).
 */
export async function signUntil(
  rpc: ContractClient,
  idTag: string,
  claims: Record<string, unknown>,
  accept: (token: string) => boolean,
): Promise<string> {
  for (let nonce = 0; ; nonce++) {
    const { token } = await rpc.request(signWithTenantKey, {
      idTag,
      claims: { ...claims, _: String(nonce) },
    });
    if (accept(token)) return token;
  }
}

export const withWork = (work: number) => (token: string) => token.endsWith('A'.repeat(work));
export const withoutWork = (work: number) => (token: string) => !token.endsWith('A'.repeat(work));
