/** Injection tokens of the action-federation app. */
export const FED_CONFIG = Symbol('FED_CONFIG');
export const FED_DB = Symbol('FED_DB');
export const CLOCK = Symbol('CLOCK');

/** The current time, injected so tests can fix it. */
export type Clock = () => Date;
