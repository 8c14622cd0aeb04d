import { ValidationError } from '@cloudillo/protocol';

/** A path segment: a collection name or a document id. */
const SEGMENT = /^[A-Za-z0-9_~@.:-]{1,128}$/;
const MAX_DEPTH = 16;

/** A document's address: the collection it is in and its id there. */
export interface DocPath {
  path: string;
  coll: string;
  id: string;
}

function segments(path: string): string[] {
  const parts = path.split('/');
  if (
    path.length > 1024 ||
    parts.length > MAX_DEPTH ||
    parts.some((p) => !SEGMENT.test(p) || p === '.' || p === '..')
  )
    throw new ValidationError(`not a path: ${JSON.stringify(path.slice(0, 100))}`);
  return parts;
}

/** `coll` or `coll/doc/coll`: an odd number of segments. */
export function collectionPath(path: string): string {
  if (segments(path).length % 2 !== 1) throw new ValidationError(`not a collection path: ${path}`);
  return path;
}

/** `coll/doc` or `coll/doc/coll/doc`: an even number of segments. */
export function documentPath(path: string): DocPath {
  const parts = segments(path);
  if (parts.length % 2 !== 0) throw new ValidationError(`not a document path: ${path}`);
  const id = parts.pop() as string;
  return { path, coll: parts.join('/'), id };
}

/** A new document in `coll` under `id`. */
export function childPath(coll: string, id: string): DocPath {
  return documentPath(`${coll}/${id}`);
}

/**
 * Replaces `${$name}` with the id an earlier operation of the transaction created under
 * `ref: "$name"` (protocol §7).
 */
export function withRefs(path: string, refs: ReadonlyMap<string, string>): string {
  return path.replace(/\$\{\$([A-Za-z0-9_]+)\}/g, (whole, name: string) => {
    const id = refs.get(name);
    if (id === undefined) throw new ValidationError(`unknown reference ${whole}`);
    return id;
  });
}
