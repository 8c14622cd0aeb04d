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
