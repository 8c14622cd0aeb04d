import { planAudioTiers, planVideoTiers } from './media-tiers';

describe('video and audio tiers (protocol §3.3)', () => {
  it('fits video tiers to the original, never enlarging, and skips near-copies (10 % rule)', () => {
    expect(planVideoTiers('default', 3840)).toEqual([
      { name: 'vid.sd', size: 720, kbps: 1500 },
      { name: 'vid.md', size: 1280, kbps: 3000 },
      { name: 'vid.hd', size: 1920, kbps: 5000 },
    ]);
    expect(planVideoTiers('high_quality', 3840).map((t) => t.name)).toContain('vid.xd');
    // 1300 px: md would be a 1280-px copy of it, 1.8 % smaller; hd would enlarge.
    expect(planVideoTiers('default', 1300).map((t) => [t.name, t.size])).toEqual([
      ['vid.sd', 720],
      ['vid.md', 1280],
    ]);
    // 760 px: sd fits at 720; md would be 760, under 10 % more — skipped.
    expect(planVideoTiers('default', 760).map((t) => [t.name, t.size])).toEqual([['vid.sd', 720]]);
    expect(planVideoTiers('default', 320)).toEqual([{ name: 'vid.sd', size: 320, kbps: 1500 }]);
    expect(planVideoTiers('orig-only', 1920)).toEqual([]);
  });

  it('makes audio tiers of sound, and of a video’s sound only where the preset extracts it', () => {
    expect(planAudioTiers('default', { video: false, audio: true })).toEqual([
      { name: 'aud.md', kbps: 128 },
    ]);
    expect(planAudioTiers('default', { video: true, audio: true })).toEqual([]);
    expect(planAudioTiers('podcast', { video: true, audio: true }).map((t) => t.name)).toEqual([
      'aud.sd',
      'aud.md',
      'aud.hd',
    ]);
    expect(planAudioTiers('podcast', { video: true, audio: false })).toEqual([]);
    expect(planAudioTiers('archive', { video: false, audio: true })).toEqual([]);
  });
});
