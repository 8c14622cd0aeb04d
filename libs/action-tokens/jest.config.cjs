module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'action-tokens',
  rootDir: __dirname,
};
