import { ValidationError } from '@cloudillo/protocol';

// Control characters (C0, DEL, C1), path separators and the Unicode direction overrides that
// make a name display as something else.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f/\\\u202a-\u202e\u2066-\u2069]/;

/** A file name as uploaded (the last path segment, URL-decoded): one plain name, 1–255 bytes. */
export function checkFileName(raw: string): string {
  const name = raw.normalize('NFC');
  if (name.length === 0 || Buffer.byteLength(name) > 255)
    throw new ValidationError('a file name is 1 to 255 bytes');
  if (name === '.' || name === '..' || FORBIDDEN.test(name))
    throw new ValidationError('a file name has no path parts or control characters');
  if (name.trim() !== name)
    throw new ValidationError('a file name does not start or end with spaces');
  return name;
}
