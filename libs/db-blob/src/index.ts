export { createBlobDb, type BlobDb, type BlobDbOptions } from './client';
export { Prisma } from './generated/client';
export type { Blob, File, FileVariant, ShareEntry } from './generated/client';
