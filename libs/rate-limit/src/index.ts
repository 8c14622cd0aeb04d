export { CLIENT_ADDRESS_HEADER, clientAddress, forwardedClientAddress } from './client-address';
export { addressKeys } from './address-keys';
export { BUCKETS, bucketFor, type BucketLimits, type BucketName, type Window } from './buckets';
export { RateLimiter, type RateDecision, type RateLimitOptions } from './rate-limiter';
