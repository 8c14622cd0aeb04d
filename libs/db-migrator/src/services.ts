import path from 'node:path';

/** A service's database: its Prisma schema folder and the Postgres schema it lives in. */
export interface ServiceDatabase {
  service: string;
  pgSchema: string;
  prismaDir: string;
}

/** Every service database, in the order migrations are applied. */
export function serviceDatabases(repoRoot: string): ServiceDatabase[] {
  return [
    {
      service: 'identity',
      pgSchema: 'identity',
      prismaDir: path.join(repoRoot, 'libs/db-identity/prisma'),
    },
    {
      service: 'access-token',
      pgSchema: 'auth',
      prismaDir: path.join(repoRoot, 'libs/db-auth/prisma'),
    },
    {
      service: 'action-federation',
      pgSchema: 'federation',
      prismaDir: path.join(repoRoot, 'libs/db-federation/prisma'),
    },
    { service: 'blob', pgSchema: 'blob', prismaDir: path.join(repoRoot, 'libs/db-blob/prisma') },
    {
      service: 'collaboration',
      pgSchema: 'collab',
      prismaDir: path.join(repoRoot, 'libs/db-collab/prisma'),
    },
  ];
}
