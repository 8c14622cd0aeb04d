export {
  createFederationDb,
  createFederationPool,
  type FederationDb,
  type FederationDbOptions,
} from './client';
export { Prisma } from './generated/client';
export type { Action } from './generated/client';
