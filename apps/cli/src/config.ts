import { envUrl, parseEnv } from '@cloudillo/config';
import { z } from 'zod';

const schema = z.object({ NATS_URL: envUrl(['nats']) });

export function loadCliConfig(env: Record<string, string | undefined> = process.env): {
  natsUrl: string;
} {
  return { natsUrl: parseEnv(schema, env).NATS_URL };
}
