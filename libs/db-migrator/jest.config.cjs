module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'db-migrator',
  rootDir: __dirname,
};
