/** Injection tokens of the action-federation app. */
export const FED_CONFIG = Symbol('FED_CONFIG');
export const FED_DB = Symbol('FED_DB');
export const CLOCK = Symbol('CLOCK');
/** The service's Redis connection for its own keys (breaker, proof-of-work counters). */
export const FED_REDIS = Symbol('FED_REDIS');

/** The current time, injected so tests can fix it. */
export type Clock = () => Date;
