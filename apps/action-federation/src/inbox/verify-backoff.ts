/** The longest wait between verification attempts (protocol §2.7: 60–3600 s). */
const MAX_VERIFY_BACKOFF_MS = 3_600_000;

/**
 * How long verification waits after its `attempt`-th try of a token (1-based): `backoffMs`
 * doubling, at most an hour. One formula for retries, for tokens waiting for their parent, and
 * for how long a fresh token cannot yet have been given up (the inbox's replay lifetime).
 */
export function verifyBackoffMs(backoffMs: number, attempt: number): number {
  return Math.min(backoffMs * 2 ** Math.min(attempt - 1, 20), MAX_VERIFY_BACKOFF_MS);
}
