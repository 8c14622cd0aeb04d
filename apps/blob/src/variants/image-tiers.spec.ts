import { planImageTiers } from './image-tiers';

describe('image tiers (protocol §3.3)', () => {
  it('builds the preset’s tiers below a large original', () => {
    expect(planImageTiers('default', 4000).map((t) => [t.name, t.size])).toEqual([
      ['vis.tn', 256],
      ['vis.sd', 720],
      ['vis.md', 1280],
      ['vis.hd', 1920],
    ]);
    expect(planImageTiers('high_quality', 4000).at(-1)).toEqual({
      name: 'vis.xd',
      size: 3840,
      format: 'webp',
    });
    expect(planImageTiers('profile-picture', 4000)[0]).toEqual({
      name: 'vis.pf',
      size: 80,
      format: 'avif',
    });
  });

  it('never upscales, and skips a tier less than 10 % larger than the one below', () => {
    expect(planImageTiers('default', 1000).map((t) => [t.name, t.size])).toEqual([
      ['vis.tn', 256],
      ['vis.sd', 720],
      ['vis.md', 1000],
    ]);
    // 760 is under 1.1 × 720: no md; the original is the largest there is.
    expect(planImageTiers('default', 760).map((t) => t.name)).toEqual(['vis.tn', 'vis.sd']);
    expect(planImageTiers('default', 100).map((t) => [t.name, t.size])).toEqual([['vis.tn', 100]]);
  });

  it('builds nothing for presets that keep the original only', () => {
    expect(planImageTiers('orig-only', 4000)).toEqual([]);
    expect(planImageTiers('file', 4000)).toEqual([]);
  });
});
