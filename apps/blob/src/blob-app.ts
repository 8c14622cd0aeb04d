import { spawnSync } from 'node:child_process';
import { type IncomingMessage } from 'node:http';

import { type INestApplication, Logger } from '@nestjs/common';
import { startService } from '@cloudillo/http';
import { natsMicroservice } from '@cloudillo/messaging';

import { AppModule, type BlobDeps } from './app.module';
import { type BlobConfig } from './config';

/**
 * `POST /api/files/{preset}/{fileName}`: the body is the file, streamed by the handler. (The
 * same shape `POST /api/files/{id}/shares`, `…/restore` and `…/duplicate` are JSON routes.)
 */
const UPLOAD = /^\/api\/files\/[^/?]+\/(?!(shares|restore|duplicate)(\?|$))[^/?]+(\?|$)/;

export function isUpload(req: IncomingMessage): boolean {
  return req.method === 'POST' && UPLOAD.test(req.url ?? '');
}

/** Video and audio tiers need ffmpeg; without it they keep their original only (and we say so). */
function reportMediaTools(): void {
  const probe = spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' });
  if (probe.status !== 0)
    new Logger('blob').warn('ffmpeg not found: video and audio files keep their original only');
}

/** Builds and starts the service: `/api/files*` and the `blob.*` NATS handlers. */
export function startBlob(
  config: BlobConfig,
  options: BlobDeps & { logger?: false } = {},
): Promise<INestApplication> {
  const { logger, ...deps } = options;
  if (logger !== false) reportMediaTools();
  return startService(AppModule.forRoot(config, deps), {
    http: config.http,
    microservice: natsMicroservice(config.natsUrl, 'blob'),
    streamedBody: isUpload,
    ...(logger === false ? { logger } : {}),
  });
}
