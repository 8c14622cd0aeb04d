/** The action-type registry of this service (built-ins plus anything registered at startup). */
export const ACTION_TYPES = Symbol('ACTION_TYPES');
