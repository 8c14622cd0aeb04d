import { z } from 'zod';

/** A keyset cursor (protocol §0): the sort field, its last value and the last id, base64url JSON. */
export interface Cursor {
  s: string;
  v: string | number | null;
  id: string | number;
}

const cursorSchema = z.strictObject({
  s: z.string().min(1).max(64),
  v: z.union([z.string().max(512), z.number(), z.null()]),
  id: z.union([z.string().min(1).max(128), z.number().int()]),
});

const MAX_CURSOR_LENGTH = 1024;

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

/** Decodes a client-supplied cursor; undefined for anything malformed (callers answer 400). */
export function decodeCursor(text: string): Cursor | undefined {
  if (text.length === 0 || text.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(text)) {
    return undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = cursorSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
