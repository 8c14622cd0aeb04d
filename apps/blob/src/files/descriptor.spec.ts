import { contentId } from '@cloudillo/crypto';

import { descriptorOf, fileIdOf, parseDescriptor } from './descriptor';

const A = contentId('b', 'a');
const B = contentId('b', 'bb');

describe('d2 descriptors (protocol §3.2)', () => {
  it('sorts variants by size, then width, height and name, omitting zero values, and round-trips', () => {
    const descriptor = descriptorOf([
      { name: 'orig', blobId: B, format: 'jpeg', size: 2000, width: 40, height: 30 },
      { name: 'vis.tn', blobId: A, format: 'webp', size: 100, width: 4, height: 3 },
    ]);
    expect(descriptor).toBe(`d2,vis.tn:${A}:f=webp:s=100:r=4x3;orig:${B}:f=jpeg:s=2000:r=40x30`);
    expect(fileIdOf(descriptor)).toBe(contentId('f', descriptor));
    expect(parseDescriptor(descriptor)?.variants.map((v) => [v.name, v.size, v.width])).toEqual([
      ['vis.tn', 100, 4],
      ['orig', 2000, 40],
    ]);
  });

  it('carries duration, bitrate and pages (dur=, br=, pg=) the way the reference writes them', () => {
    const descriptor = descriptorOf([
      {
        name: 'vid.sd',
        blobId: A,
        format: 'mp4',
        size: 900,
        width: 720,
        height: 406,
        duration: 120.5,
        bitrate: 1500,
      },
      { name: 'orig', blobId: B, format: 'pdf', size: 5000, pages: 12, duration: 0 },
    ]);
    expect(descriptor).toBe(
      `d2,vid.sd:${A}:f=mp4:s=900:r=720x406:dur=120.5:br=1500;orig:${B}:f=pdf:s=5000:pg=12`,
    );
    const parsed = parseDescriptor(descriptor);
    expect(parsed?.variants).toEqual([
      {
        name: 'vid.sd',
        blobId: A,
        format: 'mp4',
        size: 900,
        width: 720,
        height: 406,
        duration: 120.5,
        bitrate: 1500,
      },
      { name: 'orig', blobId: B, format: 'pdf', size: 5000, pages: 12 },
    ]);
    // A synced descriptor must be canonical: written again, it is the same text.
    expect(descriptorOf(parsed?.variants ?? [])).toBe(descriptor);
    expect(
      descriptorOf([{ name: 'aud.md', blobId: A, format: 'opus', size: 1, duration: 3 }]),
    ).toBe(`d2,aud.md:${A}:f=opus:s=1:dur=3`);
    for (const bad of [`dur=-1`, `dur=1e3`, `br=1.5`, `pg=x`, `dur=`])
      expect([bad, parseDescriptor(`d2,orig:${A}:f=mp4:s=3:${bad}`)]).toEqual([bad, undefined]);
  });

  it('reads the legacy d1~ form and a root, ignores unknown properties, refuses garbage', () => {
    const root = contentId('f', 'root');
    expect(
      parseDescriptor(`d1~orig:${A}:f=pdf:s=3:zz=1,vis.tn:${B}:f=webp:s=2`)?.variants,
    ).toHaveLength(2);
    expect(parseDescriptor(`d2,R=${root};orig:${A}:f=pdf:s=3`)).toMatchObject({ rootFileId: root });
    for (const bad of [
      '',
      'd2,',
      `d2,orig:${A}`,
      `d2,orig:b1~short:f=x:s=1`,
      `d3,orig:${A}:f=x:s=1`,
    ])
      expect([bad, parseDescriptor(bad)]).toEqual([bad, undefined]);
  });
});
