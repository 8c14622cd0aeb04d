module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'collaboration',
  rootDir: __dirname,
};
