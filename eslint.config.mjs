import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';

const cryptoLibs = ['jose', '@noble/*', 'multiformats', 'multiformats/*'];
const prismaLibs = [
  '@prisma/client',
  '@prisma/client/*',
  '@prisma/adapter-pg',
  '@cloudillo/*/generated*',
];
const s3Libs = ['minio', '@aws-sdk/*'];
const nestLibs = ['@nestjs/*'];

/** What each layer may depend on (style.md §2), and the packages it may not import. */
const LAYERS = {
  'type:app': {
    deps: ['type:platform', 'type:contract', 'type:domain', 'type:util', 'type:data'],
    banned: [...cryptoLibs, ...prismaLibs, ...s3Libs],
  },
  'type:platform': {
    deps: ['type:contract', 'type:domain', 'type:util'],
    banned: [...cryptoLibs, ...prismaLibs, ...s3Libs],
  },
  'type:contract': {
    deps: ['type:domain', 'type:util'],
    banned: [...cryptoLibs, ...prismaLibs, ...s3Libs, ...nestLibs],
  },
  'type:domain': {
    deps: ['type:domain', 'type:util'],
    banned: [...cryptoLibs, ...prismaLibs, ...s3Libs, ...nestLibs],
  },
  'type:data': { deps: ['type:util'], banned: [...cryptoLibs, ...nestLibs] },
  'type:util': {
    deps: ['type:util'],
    banned: [...cryptoLibs, ...prismaLibs, ...s3Libs, ...nestLibs],
  },
};

/** A service's code may use only its own scope and shared libs (blob cannot import db-identity). */
const SCOPES = [
  'gateway',
  'identity',
  'access-token',
  'action-federation',
  'blob',
  'collaboration',
  'cli',
].map((scope) => ({
  sourceTag: `scope:${scope}`,
  onlyDependOnLibsWithTags: ['scope:shared', `scope:${scope}`],
}));

/**
 * The module-boundaries rule. Specs may also use libs/testing, and import any package; `allow`
 * lifts bans for the one lib that owns them (jose and @noble in libs/crypto).
 */
function boundaries({ specs = false, allow = [] } = {}) {
  const layers = Object.entries(LAYERS).map(([sourceTag, { deps, banned }]) => ({
    sourceTag,
    onlyDependOnLibsWithTags: specs ? [...deps, 'type:testing'] : deps,
    ...(specs ? {} : { bannedExternalImports: banned.filter((lib) => !allow.includes(lib)) }),
  }));
  return [
    'error',
    {
      enforceBuildableLibDependency: false,
      depConstraints: [
        ...layers,
        { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['*'] },
        ...(specs
          ? []
          : [{ sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] }, ...SCOPES]),
      ],
    },
  ];
}

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    ignores: ['**/dist', '**/node_modules', '**/.nx', '**/.data', '**/generated/**', '**/coverage'],
  },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      '@nx/enforce-module-boundaries': boundaries(),
    },
  },
  {
    // jose/@noble/multiformats are allowed only inside libs/crypto.
    files: ['libs/crypto/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': boundaries({ allow: cryptoLibs }) },
  },
  {
    // Libraries never end the process; only an app's main.ts decides that.
    files: ['libs/**/*.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'exit', message: 'Libraries never call process.exit.' },
      ],
    },
  },
  {
    // Tests (and their helpers under test/) may use the testing lib, and assert non-null freely.
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@nx/enforce-module-boundaries': boundaries({ specs: true }),
    },
  },
  {
    // Only a config.ts reads process.env.
    files: ['apps/*/src/**/*.ts', 'libs/*/src/**/*.ts'],
    ignores: [
      '**/config.ts',
      '**/*.spec.ts',
      '**/*.int-spec.ts',
      'libs/testing/**',
      'libs/config/**',
    ],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read env only in config.ts.',
        },
      ],
    },
  },
  prettier,
];
