/**
 * The oldest Node.js major the services run on: 24 LTS. Node 20 is past its end of life (April
 * 2026, no security fixes), and libraries we depend on have left it. Keep in step with `engines`
 * in the root package.json (a test checks).
 */
export const MIN_NODE_MAJOR = 24;

/** Thrown at start-up when the process runs on a Node.js older than {@link MIN_NODE_MAJOR}. */
export class UnsupportedRuntimeError extends Error {
  override readonly name = 'UnsupportedRuntimeError';
  constructor(readonly version: string) {
    super(
      `Node.js ${version} is not supported: run on Node.js ${MIN_NODE_MAJOR} or later ` +
        `(npm scripts use the project's own, node_modules/.bin/node)`,
    );
  }
}

/**
 * Refuses to go on under an old runtime, so that a service started by hand with the machine's
 * own `node` fails at once and says why instead of running unpatched.
 */
export function assertSupportedNode(version: string = process.versions.node): void {
  const major = Number.parseInt(version.replace(/^v/, ''), 10);
  if (!(major >= MIN_NODE_MAJOR)) throw new UnsupportedRuntimeError(version);
}
