import { applySectionsPatch, MAX_SECTIONS, sectionsPatchSchema, visibleSections } from './sections';

const x = {
  bio: 'hello',
  email: 'a@example.com',
  'email.vis': 'C',
  city: 'Szeged',
  'city.vis': 'F',
  phone: '+36',
  'phone.vis': 'V',
  diary: 'secret',
  'diary.vis': 'D',
  site: 'https://a.example.com',
  'site.vis': 'P',
};

describe('profile sections', () => {
  it.each([
    ['public', ['bio', 'site']],
    ['verified', ['bio', 'phone', 'site']],
    ['follower', ['bio', 'city', 'phone', 'site']],
    ['connected', ['bio', 'city', 'email', 'phone', 'site']],
  ] as const)('shows a %s caller only what its tier reaches, without markers', (tier, keys) => {
    expect(Object.keys(visibleSections(x, tier)).sort()).toEqual(keys);
  });

  it('shows the owner everything, markers included', () => {
    expect(visibleSections(x, 'owner')).toEqual(x);
  });

  it('validates patches: names, lengths, visibility values', () => {
    expect(sectionsPatchSchema.safeParse({ bio: 'x', 'bio.vis': 'F', old: null }).success).toBe(
      true,
    );
    for (const bad of [
      { 'no spaces': 'x' },
      { '1st': 'x' },
      { 'a.b': 'x' },
      { bio: 'x'.repeat(4097) },
      { 'bio.vis': 'Q' },
      { bio: 3 },
    ]) {
      expect(sectionsPatchSchema.safeParse(bad).success).toBe(false);
    }
  });

  it('applies a patch and refuses to grow past the limit', () => {
    expect(applySectionsPatch({ a: '1', b: '2' }, { a: null, c: '3' })).toEqual({ b: '2', c: '3' });
    const full = Object.fromEntries(Array.from({ length: MAX_SECTIONS }, (_, i) => [`k${i}`, 'v']));
    expect(applySectionsPatch(full, { extra: 'v' })).toBeUndefined();
    expect(applySectionsPatch(full, { k0: null, extra: 'v' })).toBeDefined();
  });
});
