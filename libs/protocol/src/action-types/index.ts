export { BUILT_IN_ACTION_TYPES } from './built-in';
export { type ActionBehaviour, type ActionTypeDefinition, type FieldRule } from './definition';
export { ActionTypeRegistry, type ActionCheck } from './registry';
