import { readFileSync } from 'node:fs';
import path from 'node:path';

import { assertSupportedNode, MIN_NODE_MAJOR, UnsupportedRuntimeError } from './runtime';

describe('assertSupportedNode', () => {
  it('refuses Node 20 and 22, and an unreadable version', () => {
    for (const version of ['20.20.2', 'v22.12.0', 'garbage', '']) {
      expect(() => assertSupportedNode(version)).toThrow(UnsupportedRuntimeError);
    }
  });

  it('accepts 24 and later', () => {
    for (const version of ['24.0.0', 'v24.21.0', '26.1.0']) {
      expect(() => assertSupportedNode(version)).not.toThrow();
    }
  });

  it('passes on the runtime the tests run on (the project brings Node 24)', () => {
    expect(() => assertSupportedNode()).not.toThrow();
  });

  it('agrees with the engines field of the root package.json', () => {
    const pkg = JSON.parse(readFileSync(path.join(__dirname, '../../../package.json'), 'utf8')) as {
      engines: { node: string };
    };
    expect(pkg.engines.node).toMatch(new RegExp(`^>=${MIN_NODE_MAJOR}\\.`));
  });
});
