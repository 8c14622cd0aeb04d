import { contentId } from '@cloudillo/crypto';

export interface VariantEntry {
  name: string;
  blobId: string;
  format: string;
  size: number;
  width?: number | undefined;
  height?: number | undefined;
  /** Seconds, for video and audio (`dur=`). */
  duration?: number | undefined;
  /** kbps, for video and audio tiers (`br=`). */
  bitrate?: number | undefined;
  /** Pages, for documents (`pg=`). */
  pages?: number | undefined;
}

/**
 * A file's `d2` descriptor (protocol §3.2): variants sorted by size, then width, height, name;
 * zero and unknown values omitted. The file id is its hash (`f1~`), a one-level Merkle node over
 * the blob ids.
 */
export function descriptorOf(variants: readonly VariantEntry[], rootFileId?: string): string {
  const sorted = [...variants].sort(
    (a, b) =>
      a.size - b.size ||
      (a.width ?? 0) - (b.width ?? 0) ||
      (a.height ?? 0) - (b.height ?? 0) ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  const entries = sorted.map((v) => {
    const parts = [v.name, v.blobId, `f=${v.format}`];
    if (v.size > 0) parts.push(`s=${v.size}`);
    if (v.width && v.height) parts.push(`r=${v.width}x${v.height}`);
    // Shortest round-trip decimal, as the reference prints its f64 (120.5, 3, 0.04).
    if (v.duration) parts.push(`dur=${v.duration}`);
    if (v.bitrate) parts.push(`br=${v.bitrate}`);
    if (v.pages) parts.push(`pg=${v.pages}`);
    return parts.join(':');
  });
  return `d2,${rootFileId ? `R=${rootFileId};` : ''}${entries.join(';')}`;
}

export function fileIdOf(descriptor: string): string {
  return contentId('f', descriptor);
}

const DECIMAL = /^\d{1,12}(?:\.\d{1,17})?$/;
const INTEGER = /^\d{1,9}$/;

/** An optional numeric property: undefined when absent, null when malformed. */
function numberProp(value: string | undefined, form: RegExp): number | undefined | null {
  if (value === undefined) return undefined;
  return form.test(value) ? Number(value) : null;
}

const ENTRY = /^([a-z]+(?:\.[a-z]+)?):(b1~[A-Za-z0-9_-]{43})((?::[a-z]+=[^:;]*)*)$/;

/**
 * Reads a `d2` descriptor (or the legacy `d1~` form, `,` between variants; unknown properties are
 * ignored, protocol §3.2). Undefined for anything that does not parse.
 */
export function parseDescriptor(
  descriptor: string,
): { rootFileId?: string; variants: VariantEntry[] } | undefined {
  const legacy = descriptor.startsWith('d1~');
  if (!legacy && !descriptor.startsWith('d2,')) return undefined;
  let rest = descriptor.slice(3);
  let rootFileId: string | undefined;
  const root = /^R=(f1~[A-Za-z0-9_-]{43});/.exec(rest);
  if (root) {
    rootFileId = root[1];
    rest = rest.slice(root[0].length);
  }
  const variants: VariantEntry[] = [];
  for (const entry of rest.split(legacy ? ',' : ';')) {
    const match = ENTRY.exec(entry);
    if (!match) return undefined;
    const props = new Map(
      (match[3] ?? '')
        .split(':')
        .filter(Boolean)
        .map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)] as const),
    );
    const size = Number(props.get('s') ?? 0);
    const format = props.get('f');
    if (!format || !Number.isSafeInteger(size)) return undefined;
    const resolution = /^(\d+)x(\d+)$/.exec(props.get('r') ?? '');
    const duration = numberProp(props.get('dur'), DECIMAL);
    const bitrate = numberProp(props.get('br'), INTEGER);
    const pages = numberProp(props.get('pg'), INTEGER);
    if (duration === null || bitrate === null || pages === null) return undefined;
    variants.push({
      name: match[1] as string,
      blobId: match[2] as string,
      format,
      size,
      ...(resolution ? { width: Number(resolution[1]), height: Number(resolution[2]) } : {}),
      ...(duration ? { duration } : {}),
      ...(bitrate ? { bitrate } : {}),
      ...(pages ? { pages } : {}),
    });
  }
  return variants.length ? { ...(rootFileId ? { rootFileId } : {}), variants } : undefined;
}
