/** Injection tokens of the blob app. */
export const BLOB_CONFIG = Symbol('BLOB_CONFIG');
export const BLOB_DB = Symbol('BLOB_DB');
/** The `BlobStore` holding the bytes (S3). */
export const BLOB_STORE = Symbol('BLOB_STORE');
export const CLOCK = Symbol('CLOCK');

/** The current time, injected so tests can fix it. */
export type Clock = () => Date;
