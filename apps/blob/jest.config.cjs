module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'blob',
  rootDir: __dirname,
};
