/** Injection tokens of the action-federation app. */
export const FED_CONFIG = Symbol('FED_CONFIG');
export const FED_DB = Symbol('FED_DB');
/** A plain pg pool on the same schema, for the inbox's hot statements. */
export const FED_PG = Symbol('FED_PG');
export const CLOCK = Symbol('CLOCK');
/** The service's Redis connection for its own keys (breaker, proof-of-work counters). */
export const FED_REDIS = Symbol('FED_REDIS');

/** The current time, injected so tests can fix it. */
export type Clock = () => Date;
