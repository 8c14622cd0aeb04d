module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'protocol',
  rootDir: __dirname,
  coverageThreshold: { global: { lines: 100, branches: 100 } },
  collectCoverageFrom: ['src/**/*.ts', '!src/index.ts'],
};
