export { createMigration, deployMigrations, ensurePgSchema } from './migrator';
export { pgTargetFromUrl, type PgTarget } from './schema-engine';
export { serviceDatabases, type ServiceDatabase } from './services';
