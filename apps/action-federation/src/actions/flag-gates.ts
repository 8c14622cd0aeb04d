import { type Action } from '@cloudillo/db-federation';
import { type ActionTypeDefinition } from '@cloudillo/protocol';

/** Why a parent's or subject's flags refuse the action (lowercase = disabled), if they do. */
export function gateOf(
  definition: ActionTypeDefinition | undefined,
  parent: Action | undefined,
  subject: Action | undefined,
): string | undefined {
  if (definition?.gatedBy === 'parent-comments' && parent?.flags?.includes('c'))
    return 'comments are disabled on the parent';
  if (definition?.gatedBy === 'subject-reactions' && subject?.flags?.includes('r'))
    return 'reactions are disabled on the subject';
  return undefined;
}
