module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'peer-client',
  rootDir: __dirname,
};
