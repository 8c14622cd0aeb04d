/**
 * Issue 6: image variant generation for 12-megapixel JPEGs — images/s through the API (upload via
 * the gateway, thumbnail at upload, the other tiers in the blob service's job, until the f1~ id is
 * announced) vs sharp making the same tiers from the same bytes in this process, in the same run.
 */
import { request } from 'node:http';

import { createTenant, fileIdGenerated, setTenantPassword } from '@cloudillo/contracts';
import sharp from 'sharp';

import { startDeployment } from './deployment';
import { requireEnv, secondsSince } from './harness';

const IMAGES = Number(process.env['BENCH_IMAGES'] ?? 8);
const ALICE = 'alice.images.localhost';
const PASSWORD = 'bench-password';
/** The default preset's tiers for a 4000 × 3000 original. */
const TIERS = [256, 720, 1280, 1920];

function post(port: number, path: string, headers: Record<string, string>, body: Buffer) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path,
        agent: false,
        headers: { Host: `cl-o.${ALICE}`, 'Content-Length': String(body.length), ...headers },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function photo(seed: number): Promise<Buffer> {
  return sharp({
    create: {
      width: 4000,
      height: 3000,
      channels: 3,
      background: { r: seed % 256, g: 90, b: 160 },
      noise: { type: 'gaussian', mean: 120, sigma: 40 },
    },
  })
    .jpeg({ quality: 90 })
    .toBuffer();
}

async function main(): Promise<void> {
  const databaseUrl = requireEnv('DATABASE_URL');
  const images = await Promise.all(Array.from({ length: IMAGES }, (_, i) => photo(i)));
  const mib = (images[0]?.length ?? 0) / 1024 / 1024;
  console.log(`${IMAGES} JPEGs of 4000 × 3000 (12 MP), ${mib.toFixed(1)} MiB each`);

  // Baseline: the same tiers with sharp in this process, one image at a time.
  sharp.cache(false);
  let t = process.hrtime.bigint();
  for (const image of images) {
    for (const size of TIERS) {
      await sharp(image)
        .rotate()
        .resize({ width: size, height: size, fit: 'inside', withoutEnlargement: true })
        .webp({ quality: 80 })
        .toBuffer();
    }
  }
  const rawSeconds = secondsSince(t);
  const rawRate = IMAGES / rawSeconds;
  console.log(`sharp in-process, 4 tiers each: ${rawRate.toFixed(2)} images/s`);

  const node = await startDeployment({
    databaseUrl,
    name: 'images',
    basePort: 18_800,
    baseIdTag: 'images.localhost',
    blobEnv: { BLOB_MAX_FILE_SIZE: '100m' },
  });
  try {
    await node.rpc.request(createTenant, { idTag: ALICE });
    await node.rpc.request(setTenantPassword, { idTag: ALICE, password: PASSWORD });
    const login = await post(
      node.ports.gateway,
      '/api/auth/login',
      { 'Content-Type': 'application/json' },
      Buffer.from(JSON.stringify({ idTag: ALICE, password: PASSWORD })),
    );
    const token = (JSON.parse(login.body) as { data: { token: string } }).data.token;
    const generated = new Set<string>();
    let allDone: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (allDone = resolve));
    const unsubscribe = node.rpc.subscribe(fileIdGenerated, (event) => {
      generated.add(event.tempId);
      if (generated.size === IMAGES) allDone();
    });
    t = process.hrtime.bigint();
    for (const [i, image] of images.entries()) {
      const res = await post(
        node.ports.gateway,
        `/api/files/default/photo-${i}.jpg`,
        { Authorization: `Bearer ${token}`, 'Content-Type': 'image/jpeg' },
        image,
      );
      if (res.status !== 201) throw new Error(`upload ${i}: ${res.status} ${res.body}`);
    }
    const uploadSeconds = secondsSince(t);
    await done;
    const apiSeconds = secondsSince(t);
    unsubscribe();
    const apiRate = IMAGES / apiSeconds;
    console.log(
      `through the API (upload with thumbnail ${(uploadSeconds / IMAGES).toFixed(2)} s each, tiers in the job): ${apiRate.toFixed(2)} images/s until every f1~ was announced — ratio ${(apiRate / rawRate).toFixed(2)} to sharp in-process`,
    );
  } finally {
    await node.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
