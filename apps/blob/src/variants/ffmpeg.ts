import { execFile } from 'node:child_process';

import { z } from 'zod';

/**
 * Only these containers are opened. Playlists and references (hls, concat, …) are not: an upload
 * must never make ffmpeg read another file or fetch a URL.
 */
const CONTAINERS = [
  'mov,mp4,m4a,3gp,3g2,mj2',
  'matroska,webm',
  'ogg',
  'mp3',
  'wav',
  'flac',
  'aac',
  'avi',
  'mpegts',
  'flv',
  'asf',
].join(',');

/** Options that keep ffmpeg and ffprobe on the one local file they are given. */
const INPUT_GUARDS = ['-protocol_whitelist', 'file', '-format_whitelist', CONTAINERS];

/** The start of every ffmpeg run: quiet but for errors, overwriting, one guarded input. */
function input(path: string, seekSeconds?: number): string[] {
  const seek = seekSeconds === undefined ? [] : ['-ss', seekSeconds.toFixed(3)];
  return ['-v', 'error', '-y', ...INPUT_GUARDS, ...seek, '-i', path];
}

/** Output kept from a tool: enough for ffprobe's JSON and error text. */
const MAX_OUTPUT = 4 * 1024 * 1024;

const probeOutput = z.object({
  format: z.object({ duration: z.string().optional() }).optional(),
  streams: z
    .array(
      z.object({
        codec_type: z.string().optional(),
        width: z.number().int().optional(),
        height: z.number().int().optional(),
        tags: z.record(z.string(), z.string()).optional(),
        side_data_list: z.array(z.object({ rotation: z.number().optional() })).optional(),
      }),
    )
    .default([]),
});

export interface MediaInfo {
  /** Seconds (0 when the container does not say). */
  duration: number;
  /** The first video stream's display size (rotation applied), if there is one. */
  video?: { width: number; height: number };
  audio: boolean;
}

/** A tool that ran and failed (bad input, a timeout), with what it said. */
export class MediaToolError extends Error {}

/**
 * ffprobe and ffmpeg (Debian's packages, installed by scripts/infra/install.sh), run as child
 * processes without a shell, each with a time limit, on local files only. Encodings follow the
 * reference: H.264 in MP4 with AAC sound for video tiers, Opus for audio tiers.
 */
export class Ffmpeg {
  constructor(private readonly tools: { ffmpeg: string; ffprobe: string; timeoutMs: number }) {}

  /** Whether both tools can be run here. */
  async available(): Promise<boolean> {
    const runs = (tool: string) =>
      new Promise<boolean>((resolve) =>
        execFile(tool, ['-version'], { timeout: 10_000 }, (error) => resolve(!error)),
      );
    return (await runs(this.tools.ffprobe)) && (await runs(this.tools.ffmpeg));
  }

  async probe(path: string): Promise<MediaInfo> {
    const out = await this.run(this.tools.ffprobe, [
      '-v',
      'error',
      ...INPUT_GUARDS,
      '-print_format',
      'json',
      '-show_format',
      '-show_streams',
      path,
    ]);
    let parsed: z.infer<typeof probeOutput>;
    try {
      parsed = probeOutput.parse(JSON.parse(out));
    } catch {
      throw new MediaToolError('ffprobe answered something unreadable');
    }
    const duration = Number(parsed.format?.duration ?? 0);
    const video = parsed.streams.find((s) => s.codec_type === 'video' && s.width && s.height);
    const rotation = Number(
      video?.side_data_list?.find((d) => d.rotation !== undefined)?.rotation ??
        video?.tags?.['rotate'] ??
        0,
    );
    const turned = Math.abs(rotation) % 180 === 90;
    return {
      duration: Number.isFinite(duration) && duration > 0 ? duration : 0,
      ...(video?.width && video.height
        ? {
            video: turned
              ? { width: video.height, height: video.width }
              : { width: video.width, height: video.height },
          }
        : {}),
      audio: parsed.streams.some((s) => s.codec_type === 'audio'),
    };
  }

  /** One frame at `seconds`, as a PNG (for the image tiers of a video). */
  async frame(path: string, seconds: number, output: string): Promise<void> {
    await this.run(this.tools.ffmpeg, [
      ...input(path, seconds),
      '-frames:v',
      '1',
      '-f',
      'image2',
      '-c:v',
      'png',
      output,
    ]);
  }

  /**
   * A video tier: fits inside `size`×`size` (never enlarged; even sides, as H.264 needs), at
   * `kbps`; sound, if any, as AAC. MP4 with its index first, so playback starts before the end.
   */
  async video(path: string, output: string, size: number, kbps: number): Promise<void> {
    const fit =
      `scale='min(${size},iw)':'min(${size},ih)':force_original_aspect_ratio=decrease,` +
      'scale=trunc(iw/2)*2:trunc(ih/2)*2';
    await this.run(this.tools.ffmpeg, [
      ...input(path),
      '-map',
      '0:v:0',
      '-map',
      '0:a:0?',
      '-vf',
      fit,
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-pix_fmt',
      'yuv420p',
      '-b:v',
      `${kbps}k`,
      '-maxrate',
      `${kbps}k`,
      '-bufsize',
      `${kbps * 2}k`,
      '-c:a',
      'aac',
      '-b:a',
      '128k',
      '-movflags',
      '+faststart',
      '-f',
      'mp4',
      output,
    ]);
  }

  /** An audio tier: the first sound stream as Opus at `kbps`, in an Ogg container. */
  async audio(path: string, output: string, kbps: number): Promise<void> {
    await this.run(this.tools.ffmpeg, [
      ...input(path),
      '-map',
      '0:a:0',
      '-vn',
      '-c:a',
      'libopus',
      '-b:a',
      `${kbps}k`,
      '-f',
      'ogg',
      output,
    ]);
  }

  private run(tool: string, args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        tool,
        args,
        { timeout: this.tools.timeoutMs, killSignal: 'SIGKILL', maxBuffer: MAX_OUTPUT },
        (error, stdout, stderr) => {
          if (!error) return resolve(stdout);
          const said = String(stderr).trim().split('\n').slice(-3).join(' / ');
          reject(
            new MediaToolError(
              error.killed
                ? `${tool} took longer than ${this.tools.timeoutMs} ms`
                : `${tool} failed${said ? `: ${said}` : ''}`,
            ),
          );
        },
      );
    });
  }
}
