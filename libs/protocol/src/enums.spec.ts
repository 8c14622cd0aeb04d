import { expandRole, visibilitySchema } from './enums';

describe('roles and visibility', () => {
  it('expands a role to itself and everything below it', () => {
    expect(expandRole('public')).toEqual(['public']);
    expect(expandRole('contributor')).toEqual(['public', 'follower', 'supporter', 'contributor']);
    expect(expandRole('leader')).toHaveLength(6);
  });

  it('accepts only the visibility characters of the protocol', () => {
    expect(visibilitySchema.parse('F')).toBe('F');
    expect(visibilitySchema.safeParse('X').success).toBe(false);
  });
});
