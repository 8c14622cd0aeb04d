/**
 * The ways a file is named (protocol §3, §5.1): a content file by the hash of its descriptor
 * (`f1~`), an upload whose variants are still being made by its row (`@<n>`), a document or
 * folder record by 24 random characters.
 */
export const CONTENT_FILE_ID = /^f1~[A-Za-z0-9_-]{43}$/;
export const TEMP_FILE_ID = /^@\d{1,18}$/;

/** A file as it lasts: a content id or a record id (not an upload's temporary `@<n>`). */
export const NAMED_FILE_ID = /^(f1~[A-Za-z0-9_-]{43}|[A-Za-z0-9]{24})$/;

/** Any of the three. */
export const FILE_ID = /^(f1~[A-Za-z0-9_-]{43}|@\d{1,18}|[A-Za-z0-9]{24})$/;
