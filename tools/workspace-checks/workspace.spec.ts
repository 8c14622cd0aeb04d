import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { serviceDatabases } from '@cloudillo/db-migrator';
import { parse } from 'yaml';

import { configLoaderOf, secretValue } from './app-config';

const ROOT = path.resolve(__dirname, '../..');
const appTags = (app: string) =>
  (
    JSON.parse(readFileSync(path.join(ROOT, 'apps', app, 'project.json'), 'utf8')) as {
      tags: string[];
    }
  ).tags;
const apps = readdirSync(path.join(ROOT, 'apps'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);
/** Long-running services; apps tagged kind:tool (the CLI) run on demand. */
const services = apps.filter((app) => !appTags(app).includes('kind:tool'));
const tools = apps.filter((app) => appTags(app).includes('kind:tool'));
const projects = ['apps', 'libs', 'tools'].flatMap((dir) =>
  readdirSync(path.join(ROOT, dir), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(ROOT, dir, d.name, 'project.json')))
    .map((d) => path.join(dir, d.name)),
);

const PROBES: [name: string, file: string, code: string, refused: boolean][] = [
  [
    'an app importing another app',
    'apps/gateway/src/probe.ts',
    "import { startIdentity } from '../../identity/src/identity-app';\nexport const x = startIdentity;\n",
    true,
  ],
  [
    'jose in an app',
    'apps/identity/src/probe.ts',
    "import { jwtVerify } from 'jose';\nexport const x = jwtVerify;\n",
    true,
  ],
  [
    'jose in libs/protocol',
    'libs/protocol/src/probe.ts',
    "import { jwtVerify } from 'jose';\nexport const x = jwtVerify;\n",
    true,
  ],
  [
    '@noble in libs/http',
    'libs/http/src/probe.ts',
    "import { p384 } from '@noble/curves/nist.js';\nexport const x = p384;\n",
    true,
  ],
  [
    'Prisma in an app',
    'apps/identity/src/probe.ts',
    "import { PrismaClient } from '@prisma/client';\nexport const x = PrismaClient;\n",
    true,
  ],
  [
    'NestJS in a util lib',
    'libs/config/src/probe.ts',
    "import { Injectable } from '@nestjs/common';\nexport const x = Injectable;\n",
    true,
  ],
  [
    'the gateway importing identity’s database',
    'apps/gateway/src/probe.ts',
    "import { createIdentityDb } from '@cloudillo/db-identity';\nexport const x = createIdentityDb;\n",
    true,
  ],
  [
    'identity importing access-token’s database (credentials)',
    'apps/identity/src/probe.ts',
    "import { createAuthDb } from '@cloudillo/db-auth';\nexport const x = createAuthDb;\n",
    true,
  ],
  [
    'a domain lib importing a platform lib',
    'libs/protocol/src/probe.ts',
    "import { ZodPipe } from '@cloudillo/http';\nexport const x = ZodPipe;\n",
    true,
  ],
  [
    'libs/testing in app source (tests only)',
    'apps/identity/src/probe.ts',
    "import { testInfra } from '@cloudillo/testing';\nexport const x = testInfra;\n",
    true,
  ],
  [
    'libs/testing in an app test helper',
    'apps/identity/test/probe.ts',
    "import { testInfra } from '@cloudillo/testing';\nexport const x = testInfra;\n",
    false,
  ],
  [
    'jose in libs/crypto',
    'libs/crypto/src/probe.ts',
    "import { jwtVerify } from 'jose';\nexport const x = jwtVerify;\n",
    false,
  ],
  [
    'identity importing its database',
    'apps/identity/src/probe.ts',
    "import { createIdentityDb } from '@cloudillo/db-identity';\nexport const x = createIdentityDb;\n",
    false,
  ],
];

describe('module boundaries (lint)', () => {
  let results: string[][];

  beforeAll(() => {
    const input = JSON.stringify(PROBES.map(([, file, code]) => ({ file, code })));
    const output = execFileSync(process.execPath, [path.join(__dirname, 'lint-probes.mjs')], {
      input,
      cwd: ROOT,
    });
    results = JSON.parse(output.toString()) as string[][];
  }, 120_000);

  it.each(PROBES.map((probe, index) => [probe[0], probe[3], index] as const))(
    '%s: refused = %s',
    (_name, refused, index) => {
      expect(results[index]!.length > 0).toBe(refused);
    },
  );
});

describe('projects', () => {
  it.each(projects)('%s has one type: tag, one scope: tag and a README', (dir) => {
    const { tags } = JSON.parse(readFileSync(path.join(ROOT, dir, 'project.json'), 'utf8')) as {
      tags: string[];
    };
    expect(tags.filter((t) => t.startsWith('type:'))).toHaveLength(1);
    expect(tags.filter((t) => t.startsWith('scope:'))).toHaveLength(1);
    expect(readFileSync(path.join(ROOT, dir, 'README.md'), 'utf8').length).toBeGreaterThan(100);
  });
});

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')) as {
    services: Record<
      string,
      {
        command?: string[];
        entrypoint?: string[];
        healthcheck?: unknown;
        image?: string;
        profiles?: string[];
      }
    >;
  };

  it.each(tools)('offers the %s tool under the tools profile', (app) => {
    expect(compose.services[app]?.profiles).toEqual(['tools']);
    expect(compose.services[app]?.entrypoint).toEqual(['node', `dist/apps/${app}/src/main.js`]);
  });

  it.each(services)('runs the %s app with a health check', (app) => {
    const service = compose.services[app];
    expect(service).toBeDefined();
    expect(service!.command).toEqual(['node', `dist/apps/${app}/src/main.js`]);
    expect(service!.healthcheck).toBeDefined();
  });

  it.each(services)('gives the %s app an environment its config accepts', (app) => {
    const merged = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), {
      merge: true,
    }) as { services: Record<string, { environment?: Record<string, string | number> }> };
    // Compose's own interpolation: `${NAME:-default}`, and `${NAME:?why}` for what the operator sets.
    const env = Object.fromEntries(
      Object.entries(merged.services[app]?.environment ?? {}).map(([name, value]) => [
        name,
        String(value).replace(
          /\$\{(\w+)(?::-([^}]*)|:\?[^}]*)?\}/g,
          (_m, key: string, fallback?: string) => fallback ?? secretValue(key),
        ),
      ]),
    );
    expect(() => configLoaderOf(ROOT, app)(env)).not.toThrow();
  });

  it('has the backing services with health checks, MinIO as the S3 store, and a migration step', () => {
    for (const name of ['postgres', 'redis', 'nats', 'minio'])
      expect(compose.services[name]?.healthcheck).toBeDefined();
    expect(compose.services['minio']?.image).toMatch(/^minio\//);
    expect(compose.services['migrate']?.command).toEqual([
      'node',
      'dist/libs/db-migrator/src/cli.js',
      'deploy',
    ]);
  });
});

describe('Dockerfile', () => {
  const copies = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('COPY --from=build '));

  it.each(serviceDatabases(ROOT).map((db) => [db.service, path.relative(ROOT, db.prismaDir)]))(
    "ships %s's migrations (%s) in the image the migration step runs",
    (_service, dir) => {
      expect(copies).toContain(`COPY --from=build /app/${dir} ./${dir}`);
    },
  );
});
