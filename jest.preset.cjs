// Shared Jest settings: SWC transforms (fast, with decorator metadata for Nest) and the
// tsconfig path aliases, so tests import libs exactly as the apps do.
const path = require('node:path');
const fs = require('node:fs');

const root = __dirname;
const swcrc = JSON.parse(fs.readFileSync(path.join(root, '.swcrc'), 'utf8'));
delete swcrc.$schema;
const { paths } = JSON.parse(
  fs.readFileSync(path.join(root, 'tsconfig.base.json'), 'utf8'),
).compilerOptions;

const moduleNameMapper = {};
for (const [alias, [target]] of Object.entries(paths)) {
  moduleNameMapper[`^${alias.replace(/[/.]/g, '\\$&')}$`] = path.join(root, target);
}

module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.(ts|js|mjs)$': ['@swc/jest', { ...swcrc, swcrc: false }] },
  // jose, @noble/* and the schema engine's bindings ship only ES modules; Jest's CommonJS runtime needs them compiled.
  transformIgnorePatterns: ['/node_modules/(?!(jose|@noble|@prisma/schema-engine-wasm)/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  testMatch: ['**/?(*.)+(spec|int-spec).ts'],
  // Integration tests start real services; their hooks need more than Jest's 5 s default.
  testTimeout: 30_000,
  setupFiles: [path.join(root, 'jest.setup.cjs')],
  reporters: ['default', path.join(root, 'scripts/jest-summary-reporter.cjs')],
};
