/** Injection tokens of the access-token app. */
export const AUTH_CONFIG = Symbol('AUTH_CONFIG');
export const AUTH_DB = Symbol('AUTH_DB');
export const CLOCK = Symbol('CLOCK');
export const AUTH_REDIS = Symbol('AUTH_REDIS');

/** The current time, injected so tests can fix it. */
export type Clock = () => Date;
