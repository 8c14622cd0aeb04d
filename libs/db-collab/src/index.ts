export { createCollabDb, type CollabDb, type CollabDbOptions } from './client';
export { Prisma } from './generated/client';
export type { CrdtSnapshot, CrdtUpdate } from './generated/client';
