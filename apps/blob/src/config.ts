import { tmpdir } from 'node:os';

import {
  envBool,
  envBytes,
  envPort,
  envTenantHeaderSecret,
  envUrl,
  envUrlMap,
  parseEnv,
} from '@cloudillo/config';
import { isPeerMapName } from '@cloudillo/protocol';
import { z } from 'zod';

const schema = z.object({
  DATABASE_URL: envUrl(['postgresql', 'postgres']),
  NATS_URL: envUrl(['nats']),
  TENANT_HEADER_SECRET: envTenantHeaderSecret,
  REDIS_URL: envUrl(['redis', 'rediss']),
  BLOB_QUEUE_PREFIX: z
    .string()
    .regex(/^[a-z0-9_-]+$/)
    .default('cloudillo'),
  /** Run the variant workers in this process (false: an HTTP-only replica). */
  BLOB_WORKERS: envBool(true),
  /** Images with more pixels are refused before decoding (decompression bombs). */
  BLOB_MAX_IMAGE_PIXELS: z.coerce.number().int().min(1).default(100_000_000),
  BLOB_VARIANT_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
  /** Video and audio variants: the tools (Debian's ffmpeg), and how long one run may take. */
  BLOB_FFMPEG: z.string().min(1).default('ffmpeg'),
  BLOB_FFPROBE: z.string().min(1).default('ffprobe'),
  BLOB_MEDIA_TIMEOUT_MS: z.coerce.number().int().min(1_000).default(600_000),
  /** Video and audio jobs at once (each runs ffmpeg, which uses every core it gets). */
  BLOB_MEDIA_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(1),
  /** Where video and audio originals are copied while ffmpeg works on them. */
  BLOB_TMP_DIR: z.string().min(1).default(tmpdir()),
  S3_ENDPOINT: envUrl(['http', 'https']),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_ACCESS_KEY: z.string().min(1),
  S3_SECRET_KEY: z.string().min(1),
  BLOB_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{2,62}$/)
    .default('cloudillo-blobs'),
  BLOB_HTTP_HOST: z.string().default('127.0.0.1'),
  BLOB_HTTP_PORT: envPort(8104),
  BLOB_DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/)
    .default('blob'),
  /** Size cap of ordinary uploads (protocol §5.1 `file.max_file_size_mb`: 50 MiB). */
  BLOB_MAX_FILE_SIZE: envBytes('50m'),
  /** Size cap of large media (video, audio): the streaming cap (protocol §5.1: 100 MiB). */
  BLOB_MAX_STREAM_SIZE: envBytes('100m'),
  /** What a tenant may store: its share of deduplicated bytes. */
  BLOB_TENANT_QUOTA: envBytes('10g'),
  /**
   * Multipart part size: an upload holds three parts at most, so this bounds its memory. 8 MiB
   * rather than S3's minimum of 5 for one round trip to the store per 8 MiB (bench/blob-transfer,
   * 10 × 100 MiB, with a 6 MiB young generation then: 8 MiB → upload ratio 0.81, peak RSS 207 MiB;
   * 5 MiB → 0.75, 188–200 MiB; with the deployed 1 MiB young generation, 8 MiB parts peak at
   * 159–165 MiB).
   */
  BLOB_PART_SIZE: envBytes('8m'),
  /** Local multi-node runs only (see identity): where peers are. */
  FEDERATION_PEER_MAP: envUrlMap.refine(
    (map) => Object.keys(map).every(isPeerMapName),
    'names must be id_tags or *.<id_tag>',
  ),
  BLOB_PEER_TIMEOUT_MS: z.coerce.number().int().min(100).default(60_000),
  /**
   * Direct reads: the S3 store's address as clients reach it. When set, reads of stored bytes are
   * answered 307 to a signed URL of the store (access checked first, the URL short-lived), so the
   * bytes skip the gateway and this service. SVG stays proxied (it needs its CSP). Off by default.
   */
  BLOB_DIRECT_READS_ENDPOINT: envUrl(['http', 'https']).optional(),
  /** How long a direct-read URL works. */
  BLOB_DIRECT_READS_TTL_SECONDS: z.coerce.number().int().min(10).max(86_400).default(300),
  /** How old an object without a row must be before garbage collection removes it. */
  BLOB_GC_GRACE_MS: z.coerce.number().int().min(0).default(3_600_000),
  BLOB_GC_INTERVAL_MS: z.coerce.number().int().min(1_000).default(600_000),
});

export interface BlobConfig {
  databaseUrl: string;
  dbSchema: string;
  natsUrl: string;
  /** Checks (services) or signs (gateway) the gateway's tenant header; unset: not used. */
  tenantHeaderSecret?: string | undefined;
  redisUrl: string;
  queuePrefix: string;
  workers: boolean;
  images: { maxPixels: number; concurrency: number };
  media: {
    ffmpeg: string;
    ffprobe: string;
    timeoutMs: number;
    tmpDir: string;
    concurrency: number;
  };
  http: { host: string; port: number; jsonLimitBytes: number };
  s3: { endpoint: string; region: string; accessKey: string; secretKey: string; bucket: string };
  partSizeBytes: number;
  limits: { fileBytes: number; streamBytes: number; tenantQuotaBytes: number };
  gc: { graceMs: number; intervalMs: number };
  peers: Record<string, string>;
  peerTimeoutMs: number;
  /** Reads answered with a redirect to a signed URL of the store at `endpoint`. */
  directReads?: { endpoint: string; ttlSeconds: number } | undefined;
}

export function loadBlobConfig(env: Record<string, string | undefined> = process.env): BlobConfig {
  const e = parseEnv(schema, env);
  return {
    databaseUrl: e.DATABASE_URL,
    dbSchema: e.BLOB_DB_SCHEMA,
    natsUrl: e.NATS_URL,
    tenantHeaderSecret: e.TENANT_HEADER_SECRET,
    redisUrl: e.REDIS_URL,
    queuePrefix: e.BLOB_QUEUE_PREFIX,
    workers: e.BLOB_WORKERS,
    images: { maxPixels: e.BLOB_MAX_IMAGE_PIXELS, concurrency: e.BLOB_VARIANT_CONCURRENCY },
    media: {
      ffmpeg: e.BLOB_FFMPEG,
      ffprobe: e.BLOB_FFPROBE,
      timeoutMs: e.BLOB_MEDIA_TIMEOUT_MS,
      tmpDir: e.BLOB_TMP_DIR,
      concurrency: e.BLOB_MEDIA_CONCURRENCY,
    },
    http: { host: e.BLOB_HTTP_HOST, port: e.BLOB_HTTP_PORT, jsonLimitBytes: 1024 * 1024 },
    s3: {
      endpoint: e.S3_ENDPOINT,
      region: e.S3_REGION,
      accessKey: e.S3_ACCESS_KEY,
      secretKey: e.S3_SECRET_KEY,
      bucket: e.BLOB_BUCKET,
    },
    partSizeBytes: e.BLOB_PART_SIZE,
    limits: {
      fileBytes: e.BLOB_MAX_FILE_SIZE,
      streamBytes: e.BLOB_MAX_STREAM_SIZE,
      tenantQuotaBytes: e.BLOB_TENANT_QUOTA,
    },
    gc: { graceMs: e.BLOB_GC_GRACE_MS, intervalMs: e.BLOB_GC_INTERVAL_MS },
    peers: e.FEDERATION_PEER_MAP,
    peerTimeoutMs: e.BLOB_PEER_TIMEOUT_MS,
    ...(e.BLOB_DIRECT_READS_ENDPOINT
      ? {
          directReads: {
            endpoint: e.BLOB_DIRECT_READS_ENDPOINT,
            ttlSeconds: e.BLOB_DIRECT_READS_TTL_SECONDS,
          },
        }
      : {}),
  };
}
