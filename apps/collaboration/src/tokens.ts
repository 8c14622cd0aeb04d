export const COLLAB_CONFIG = Symbol('COLLAB_CONFIG');
export const COLLAB_DB = Symbol('COLLAB_DB');
