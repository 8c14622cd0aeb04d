module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'action-federation',
  rootDir: __dirname,
};
