import { type z } from 'zod';

/** Thrown when the environment does not fit an app's schema; lists every bad key at once. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/**
 * Parses `env` with an app's schema. Values are never echoed back: a secret in the wrong key must
 * not end up in a log.
 */
export function parseEnv<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined>,
): z.infer<S> {
  // `KEY=` in an env file means "not set": defaults and "required" apply, not "invalid".
  const present =
    env && Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = schema.safeParse(present);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = issue.path.length > 0 ? issue.path.join('.') : '(environment)';
    return `${key}: ${issue.message}`;
  });
  throw new ConfigError([...new Set(problems)].sort());
}
