/** The migrator's environment: the only place in this lib that reads process.env. */
export function migratorEnv(env: Record<string, string | undefined> = process.env) {
  return {
    databaseUrl: env['DATABASE_URL'],
    root: env['DB_MIGRATOR_ROOT'] ?? process.cwd(),
    /** PRISMA_ENGINE_DEBUG=1 prints the engine's own log lines. */
    engineDebug: Boolean(env['PRISMA_ENGINE_DEBUG']),
  };
}
