/**
 * Store reads handed to the gateway (the pattern of nginx's `X-Accel-Redirect`): on a GET, the
 * gateway offers (`STORE_READ_OFFER: 1`) to fetch stored bytes from the S3 store itself. A service
 * that takes the offer has already checked access and parsed any `Range`; it answers with the
 * status and headers meant for the client, an empty body, a signed URL of the store
 * (`STORE_READ_URL`) and the byte range to ask it for (`STORE_READ_RANGE`, `bytes=a-b`). The bytes
 * then cross one Node process instead of two. The gateway drops a client's copy of the offer and
 * never passes these headers on to a client.
 */
export const STORE_READ_OFFER = 'x-cloudillo-store-read-offer';
export const STORE_READ_URL = 'x-cloudillo-store-read-url';
export const STORE_READ_RANGE = 'x-cloudillo-store-read-range';

/** How long a handed-over URL is good for: the gateway uses it at once. */
export const STORE_READ_TTL_SECONDS = 60;
