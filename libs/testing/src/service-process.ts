import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

export interface ServiceProcess {
  child: ChildProcess;
  /** Everything it printed so far. */
  output: () => string;
}

/**
 * A service from its sources (`apps/<app>/src/main.ts`, compiled on load by @swc-node/register,
 * decorator metadata included) in a process of its own, resolved once it prints "ready on": for
 * tests that must kill it for real.
 */
export async function spawnService(
  app: string,
  env: Record<string, string>,
): Promise<ServiceProcess> {
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', path.join(ROOT, `apps/${app}/src/main.ts`)],
    {
      cwd: ROOT,
      env: { ...process.env, ...env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const collect = (chunk: Buffer) => (output += chunk.toString());
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', () => output.includes('ready on') && resolve());
    child.once('exit', (code) => reject(new Error(`${app} exited (${code}): ${output}`)));
  });
  return { child, output: () => output };
}
