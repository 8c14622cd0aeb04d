export const DOMAIN_RESOLVER = Symbol('DOMAIN_RESOLVER');
