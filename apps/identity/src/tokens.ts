/** Injection tokens of the identity app. */
export const IDENTITY_CONFIG = Symbol('IDENTITY_CONFIG');
export const IDENTITY_DB = Symbol('IDENTITY_DB');
export const CLOCK = Symbol('CLOCK');

/** The current time, injected so tests can fix it. */
export type Clock = () => Date;
