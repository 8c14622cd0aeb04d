import { type ActionTokenClaims, splitActionType } from '../action-token';
import { BUILT_IN_ACTION_TYPES } from './built-in';
import { type ActionTypeDefinition } from './definition';

export type ActionCheck =
  { ok: true; definition: ActionTypeDefinition; subType?: string } | { ok: false; reason: string };

const FIELD_NAMES = { aud: 'aud', p: 'p', sub: 'sub', a: 'a', c: 'c' } as const;
const PLACEHOLDER = /\{([a-z.]+)\}/gi;
const CONTENT = 'content.';
const KEY_NAMES = new Set(['type', 'issuer', 'audience', 'subject', 'parent']);

function present(claims: ActionTokenClaims, field: keyof typeof FIELD_NAMES): boolean {
  const value = claims[field];
  return value !== undefined && !(Array.isArray(value) && value.length === 0);
}

/**
 * The action types a deployment knows: the built-ins of protocol §2.3 plus any registered later.
 * Lookup tries the full type (`IDP:REG`) first, then the base type (`POST` for `POST:IMG`).
 */
export class ActionTypeRegistry {
  private readonly definitions = new Map<string, ActionTypeDefinition>();

  constructor(definitions: readonly ActionTypeDefinition[] = BUILT_IN_ACTION_TYPES) {
    for (const definition of definitions) this.register(definition);
  }

  /** Adds a type; a second definition of the same name is refused, never silently replaced. */
  register(definition: ActionTypeDefinition): this {
    if (this.definitions.has(definition.type)) {
      throw new Error(`action type ${definition.type} is already defined`);
    }
    for (const [, name] of (definition.key ?? '').matchAll(PLACEHOLDER)) {
      if (!KEY_NAMES.has(name as string) && !(name as string).startsWith(CONTENT)) {
        throw new Error(`action type ${definition.type}: unknown key placeholder {${name}}`);
      }
    }
    this.definitions.set(definition.type, definition);
    return this;
  }

  types(): string[] {
    return [...this.definitions.keys()];
  }

  lookup(t: string): { definition: ActionTypeDefinition; subType?: string } | undefined {
    const full = this.definitions.get(t);
    if (full) return { definition: full };
    const { type, subType } = splitActionType(t);
    const base = this.definitions.get(type);
    if (!base || subType === undefined || !base.subTypes?.includes(subType)) return undefined;
    return { definition: base, subType };
  }

  /** Checks claims against their type's definition (pipeline steps 3–4 of protocol §2.7). */
  check(claims: ActionTokenClaims): ActionCheck {
    const found = this.lookup(claims.t);
    if (!found) return { ok: false, reason: `unknown action type ${claims.t}` };
    const { definition, subType } = found;
    const retraction = subType === 'DEL';
    for (const field of Object.keys(FIELD_NAMES) as (keyof typeof FIELD_NAMES)[]) {
      const rule = definition.fields[field] ?? 'optional';
      const has = present(claims, field);
      // A retraction names what it retracts; it needs no content of its own.
      if (rule === 'required' && !has && !(retraction && field === 'c')) {
        return { ok: false, reason: `${claims.t} requires ${field}` };
      }
      if (rule === 'forbidden' && has)
        return { ok: false, reason: `${claims.t} must not carry ${field}` };
    }
    if (claims.c !== undefined && definition.content && !retraction) {
      const parsed = definition.content.safeParse(claims.c);
      if (!parsed.success)
        return { ok: false, reason: `content of ${claims.t} does not fit its schema` };
    }
    return subType === undefined ? { ok: true, definition } : { ok: true, definition, subType };
  }

  /** The dedup key of an action, when its type has one (protocol §2.3 "Key"). */
  dedupKey(claims: ActionTokenClaims): string | undefined {
    const found = this.lookup(claims.t);
    const pattern = found?.definition.key;
    if (!found || !pattern) return undefined;
    const base = found.definition.type.includes(':')
      ? found.definition.type
      : splitActionType(claims.t).type;
    const content = (typeof claims.c === 'object' && claims.c !== null ? claims.c : {}) as Record<
      string,
      unknown
    >;
    const values: Record<string, string | undefined> = {
      type: base,
      issuer: claims.iss,
      audience: claims.aud,
      subject: claims.sub,
      parent: claims.p,
    };
    return pattern.replace(PLACEHOLDER, (_match, name: string) => {
      const value = name.startsWith(CONTENT) ? content[name.slice(CONTENT.length)] : values[name];
      return String(value ?? '');
    });
  }
}
