import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { type EventPayload, fileIdGenerated } from '@cloudillo/contracts';
import { contentId } from '@cloudillo/crypto';
import { type BlobStore } from '@cloudillo/storage';
import { waitFor } from '@cloudillo/testing';
import sharp from 'sharp';

import { parseDescriptor, type VariantEntry } from '../src/files/descriptor';
import { BLOB_STORE } from '../src/tokens';
import { Ffmpeg } from '../src/variants/ffmpeg';
import { type BlobStack, startBlobStack } from './blob-stack';
import { bytesCall, type BytesReply } from './bytes-call';

const ALICE = 'alice.localhost';
const run = promisify(execFile);

describe('video and audio variants with ffmpeg: probe, still and thumbnail at upload, tiers from the job (real S3)', () => {
  let stack: BlobStack;
  let dir: string;
  const events: EventPayload<typeof fileIdGenerated>[] = [];
  let unsubscribe: (() => void) | undefined;
  const ffmpeg = new Ffmpeg({ ffmpeg: 'ffmpeg', ffprobe: 'ffprobe', timeoutMs: 60_000 });

  /** A test clip made by ffmpeg itself: a test pattern, with a tone when `sound`. */
  const clip = async (name: string, args: string[]) => {
    const path = join(dir, name);
    await run('ffmpeg', ['-v', 'error', '-y', ...args, path]);
    return readFile(path);
  };
  let video: Buffer;
  let tone: Buffer;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'media-spec-'));
    [video, tone] = await Promise.all([
      clip('clip.mp4', [
        ...['-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=10:duration=2'],
        ...['-f', 'lavfi', '-i', 'sine=frequency=440:duration=2'],
        ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'],
        ...['-c:a', 'aac', '-shortest'],
      ]),
      clip('tone.wav', ['-f', 'lavfi', '-i', 'sine=frequency=300:duration=3']),
    ]);
    stack = await startBlobStack({ tenants: [ALICE] });
    unsubscribe = stack.identity.rpc.subscribe(fileIdGenerated, (e) => events.push(e));
  });

  afterAll(async () => {
    unsubscribe?.();
    await stack?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const send = (method: string, path: string, body?: Buffer, type?: string, range?: string) =>
    bytesCall(stack, ALICE, method, path, {
      ...(body ? { body } : {}),
      headers: { ...(type ? { 'Content-Type': type } : {}), ...(range ? { Range: range } : {}) },
    });
  const data = <T>(reply: BytesReply) => (JSON.parse(reply.body.toString()) as { data: T }).data;
  const codeOf = (reply: BytesReply) =>
    (JSON.parse(reply.body.toString()) as { error?: { code: string } }).error?.code;
  const generated = (tempId: string) =>
    waitFor(async () => events.find((e) => e.tempId === tempId), 60_000, `the f1~ of ${tempId}`);
  const variantsOf = async (fileId: string): Promise<Map<string, VariantEntry>> => {
    const descriptor = data<{ file: string }>(
      await send('GET', `/api/files/${fileId}/descriptor`),
    ).file;
    expect(contentId('f', descriptor)).toBe(fileId);
    return new Map((parseDescriptor(descriptor)?.variants ?? []).map((v) => [v.name, v]));
  };
  /** What ffprobe reads in bytes served by the API. */
  const probed = async (bytes: Buffer, name: string) => {
    const path = join(dir, name);
    await writeFile(path, bytes);
    return ffmpeg.probe(path);
  };
  const objectCount = async () => {
    let n = 0;
    for await (const object of stack.blob.get<BlobStore>(BLOB_STORE).list('o/')) if (object) n++;
    return n;
  };
  const fileCount = async () => data<unknown[]>(await send('GET', '/api/files')).length;

  it('a video: size, duration and a thumbnail from a still at once; then H.264 tiers and image tiers, with dur= and br=', async () => {
    const upload = await send('POST', '/api/files/default/clip.mp4', video, 'video/mp4');
    expect(upload.status).toBe(201);
    const result = data<{ fileId: string; dim: number[]; thumbnailVariantId: string }>(upload);
    expect(result.fileId).toMatch(/^@\d+$/);
    expect(result.dim).toEqual([640, 360]);
    const thumbnail = await send('GET', `/api/files/variant/${result.thumbnailVariantId}`);
    expect(await sharp(thumbnail.body).metadata()).toMatchObject({
      format: 'webp',
      width: 256,
      height: 144,
    });

    const { fileId } = await generated(result.fileId);
    const variants = await variantsOf(fileId);
    // 640 px wide: one video tier (sd, not enlarged), image tiers up to the frame's size.
    expect([...variants.keys()].sort()).toEqual(['orig', 'vid.sd', 'vis.sd', 'vis.tn']);
    expect(variants.get('orig')).toMatchObject({ format: 'mp4', width: 640, height: 360 });
    expect(variants.get('orig')?.duration).toBeCloseTo(2, 0);
    expect(variants.get('vis.sd')).toMatchObject({ format: 'webp', width: 640, height: 360 });
    expect(variants.get('vid.sd')).toMatchObject({
      format: 'mp4',
      width: 640,
      height: 360,
      bitrate: 1500,
    });
    expect(variants.get('vid.sd')?.duration).toBeCloseTo(2, 0);

    const sd = await send('GET', `/api/files/${fileId}?variant=vid.sd`);
    expect([sd.status, sd.headers['content-type']]).toEqual([200, 'video/mp4']);
    expect(contentId('b', sd.body)).toBe(variants.get('vid.sd')?.blobId);
    expect(await probed(sd.body, 'sd.mp4')).toMatchObject({
      video: { width: 640, height: 360 },
      audio: true,
    });
    // Players seek with ranges.
    const part = await send(
      'GET',
      `/api/files/${fileId}?variant=vid.sd`,
      undefined,
      undefined,
      'bytes=0-99',
    );
    expect([part.status, part.body.length]).toEqual([206, 100]);
  });

  it('sound: Opus tiers of the preset (podcast: sd, md, hd), each with its length and bitrate', async () => {
    const upload = await send('POST', '/api/files/podcast/tone.wav', tone, 'audio/wav');
    expect(upload.status).toBe(201);
    const result = data<{ fileId: string; dim?: unknown }>(upload);
    expect(result.dim).toBeUndefined();
    const { fileId } = await generated(result.fileId);
    const variants = await variantsOf(fileId);
    expect([...variants.keys()].sort()).toEqual(['aud.hd', 'aud.md', 'aud.sd', 'orig']);
    for (const [name, kbps] of [
      ['aud.sd', 64],
      ['aud.md', 128],
      ['aud.hd', 256],
    ] as const) {
      expect(variants.get(name)).toMatchObject({ format: 'opus', bitrate: kbps });
      expect(variants.get(name)?.duration).toBeCloseTo(3, 0);
    }
    const md = await send('GET', `/api/files/${fileId}?variant=aud.md`);
    expect([md.status, md.headers['content-type']]).toEqual([200, 'audio/ogg']);
    expect(await probed(md.body, 'md.ogg')).toMatchObject({ audio: true });
    expect((await probed(md.body, 'md.ogg')).video).toBeUndefined();
  });

  it('refuses what is not the video or sound it claims to be, and playlists that point elsewhere, keeping nothing', async () => {
    const [files, objects] = [await fileCount(), await objectCount()];
    // A playlist naming a playable file on the server's disk: followed, it would be read in.
    await clip('segment.ts', [
      ...['-f', 'lavfi', '-i', 'testsrc=size=64x64:duration=1'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-f', 'mpegts'],
    ]);
    const playlist = Buffer.from(
      `#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:1,\nfile://${join(dir, 'segment.ts')}\n#EXT-X-ENDLIST\n`,
    );
    for (const [name, body, type] of [
      ['fake.mp4', Buffer.from('not a video at all'), 'video/mp4'],
      ['list.m3u8', playlist, 'video/mp4'],
      [
        'silent.mp4',
        await clip('silent.mp4', [
          '-f',
          'lavfi',
          '-i',
          'testsrc=size=64x64:duration=1',
          '-pix_fmt',
          'yuv420p',
        ]),
        'audio/mp4',
      ],
    ] as const) {
      const refused = await send('POST', `/api/files/default/${name}`, body, type);
      expect([name, refused.status, codeOf(refused)]).toEqual([name, 400, 'E-VAL-INVALID']);
    }
    expect(await fileCount()).toBe(files);
    expect(await objectCount()).toBe(objects);
  });

  it('a video over the pixel cap is 413 before any tier is made', async () => {
    const big = await clip('big.mp4', [
      ...['-f', 'lavfi', '-i', 'color=c=black:size=2400x1800:duration=0.2'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'],
    ]);
    const refused = await send('POST', '/api/files/default/big.mp4', big, 'video/mp4');
    expect([refused.status, codeOf(refused)]).toEqual([413, 'E-CORE-TOOLARGE']);
  });

  it('a slow transcode does not hold up the images uploaded after it (a queue of its own)', async () => {
    // ffmpeg that takes 3 s more for every run: the video's job lasts ≥ 6 s (still, then vid.sd).
    const slowFfmpeg = join(dir, 'slow-ffmpeg');
    await writeFile(slowFfmpeg, '#!/bin/sh\nsleep 3\nexec ffmpeg "$@"\n', { mode: 0o755 });
    const slow = await startBlobStack({
      tenants: [ALICE],
      config: {
        media: {
          ffmpeg: slowFfmpeg,
          ffprobe: 'ffprobe',
          timeoutMs: 60_000,
          tmpDir: tmpdir(),
          concurrency: 1,
        },
      },
    });
    const seen: string[] = [];
    const stop = slow.identity.rpc.subscribe(fileIdGenerated, (e) => seen.push(e.tempId));
    try {
      const upload = (name: string, body: Buffer, type: string) =>
        bytesCall(slow, ALICE, 'POST', `/api/files/default/${name}`, {
          body,
          headers: { 'Content-Type': type },
        });
      const clipUp = await upload('clip.mp4', video, 'video/mp4');
      expect(clipUp.status).toBe(201);
      const photo = await sharp({
        create: { width: 1600, height: 1200, channels: 3, background: { r: 9, g: 99, b: 199 } },
      })
        .jpeg()
        .toBuffer();
      const photoUp = await upload('photo.jpg', photo, 'image/jpeg');
      const [clipId, photoId] = [clipUp, photoUp].map((r) => data<{ fileId: string }>(r).fileId);
      await waitFor(async () => seen.includes(photoId as string), 20_000, 'the image’s f1~');
      expect(seen).not.toContain(clipId); // still transcoding
      await waitFor(async () => seen.includes(clipId as string), 60_000, 'the video’s f1~');
    } finally {
      stop();
      await slow.close();
    }
  }, 120_000);

  it('a tier ffmpeg fails to make is left out; the file still gets its f1~ with the rest', async () => {
    // ffmpeg that fails on every H.264 encode (the video tiers) and is itself otherwise.
    const brokenFfmpeg = join(dir, 'no-h264-ffmpeg');
    await writeFile(
      brokenFfmpeg,
      '#!/bin/sh\ncase "$*" in *libx264*) echo "encoder broke" >&2; exit 1;; esac\nexec ffmpeg "$@"\n',
      { mode: 0o755 },
    );
    const broken = await startBlobStack({
      tenants: [ALICE],
      config: {
        media: {
          ffmpeg: brokenFfmpeg,
          ffprobe: 'ffprobe',
          timeoutMs: 60_000,
          tmpDir: tmpdir(),
          concurrency: 1,
        },
      },
    });
    const seen: { tempId: string; fileId: string }[] = [];
    const stop = broken.identity.rpc.subscribe(fileIdGenerated, (e) => seen.push(e));
    try {
      const upload = await bytesCall(broken, ALICE, 'POST', '/api/files/default/clip.mp4', {
        body: video,
        headers: { 'Content-Type': 'video/mp4' },
      });
      expect(upload.status).toBe(201);
      const { fileId: tempId } = data<{ fileId: string }>(upload);
      const { fileId } = await waitFor(
        async () => seen.find((e) => e.tempId === tempId),
        60_000,
        'the video’s f1~',
      );
      const descriptor = data<{ file: string }>(
        await bytesCall(broken, ALICE, 'GET', `/api/files/${fileId}/descriptor`, {}),
      ).file;
      // The still's image tiers are made; vid.sd, which needs the broken encoder, is not.
      expect(
        parseDescriptor(descriptor)
          ?.variants.map((v) => v.name)
          .sort(),
      ).toEqual(['orig', 'vis.sd', 'vis.tn']);
      // A player asking for the missing tier gets the largest variant: the original video.
      const asked = await bytesCall(
        broken,
        ALICE,
        'GET',
        `/api/files/${fileId}?variant=vid.sd`,
        {},
      );
      expect([asked.status, asked.headers['content-type']]).toEqual([200, 'video/mp4']);
      expect(asked.body.equals(video)).toBe(true);
    } finally {
      stop();
      await broken.close();
    }
  }, 120_000);

  it('without ffmpeg the original is kept alone and the file has its f1~ at once', async () => {
    const bare = await startBlobStack({
      tenants: [ALICE],
      config: {
        media: {
          ffmpeg: '/nonexistent/ffmpeg',
          ffprobe: '/nonexistent/ffprobe',
          timeoutMs: 10_000,
          tmpDir: tmpdir(),
          concurrency: 1,
        },
      },
    });
    try {
      const upload = await bytesCall(bare, ALICE, 'POST', '/api/files/default/clip.mp4', {
        body: video,
        headers: { 'Content-Type': 'video/mp4' },
      });
      expect(upload.status).toBe(201);
      const { fileId } = data<{ fileId: string }>(upload);
      expect(fileId).toMatch(/^f1~/);
      const descriptor = data<{ file: string }>(
        await bytesCall(bare, ALICE, 'GET', `/api/files/${fileId}/descriptor`, {}),
      ).file;
      expect(parseDescriptor(descriptor)?.variants.map((v) => v.name)).toEqual(['orig']);
    } finally {
      await bare.close();
    }
  });
});
