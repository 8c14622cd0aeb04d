import { contentId } from '@cloudillo/crypto';

export interface VariantEntry {
  name: string;
  blobId: string;
  format: string;
  size: number;
  width?: number | undefined;
  height?: number | undefined;
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
    return parts.join(':');
  });
  return `d2,${rootFileId ? `R=${rootFileId};` : ''}${entries.join(';')}`;
}

export function fileIdOf(descriptor: string): string {
  return contentId('f', descriptor);
}
