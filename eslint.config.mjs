import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

const cryptoLibs = ['jose', '@noble/*', 'multiformats', 'multiformats/*'];
const prismaLibs = [
  '@prisma/client',
  '@prisma/client/*',
  '@prisma/adapter-pg',
  '@cloudillo/*/generated*',
];
const s3Libs = ['minio', '@aws-sdk/*'];
const nestLibs = ['@nestjs/*'];

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
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: [
                'type:platform',
                'type:contract',
                'type:domain',
                'type:util',
                'type:data',
                'type:testing',
              ],
              bannedExternalImports: [...cryptoLibs, ...prismaLibs, ...s3Libs],
            },
            {
              sourceTag: 'type:platform',
              onlyDependOnLibsWithTags: ['type:contract', 'type:domain', 'type:util'],
              bannedExternalImports: [...cryptoLibs, ...prismaLibs, ...s3Libs],
            },
            {
              sourceTag: 'type:contract',
              onlyDependOnLibsWithTags: ['type:domain', 'type:util'],
              bannedExternalImports: [...cryptoLibs, ...prismaLibs, ...s3Libs, ...nestLibs],
            },
            {
              sourceTag: 'type:domain',
              onlyDependOnLibsWithTags: ['type:domain', 'type:util'],
              bannedExternalImports: [...cryptoLibs, ...prismaLibs, ...s3Libs, ...nestLibs],
            },
            {
              sourceTag: 'type:data',
              onlyDependOnLibsWithTags: ['type:util'],
              bannedExternalImports: [...cryptoLibs, ...nestLibs],
            },
            {
              sourceTag: 'type:util',
              onlyDependOnLibsWithTags: ['type:util'],
              bannedExternalImports: [...prismaLibs, ...s3Libs, ...nestLibs],
            },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['*'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            {
              sourceTag: 'scope:gateway',
              onlyDependOnLibsWithTags: ['scope:shared', 'scope:gateway'],
            },
            {
              sourceTag: 'scope:identity',
              onlyDependOnLibsWithTags: ['scope:shared', 'scope:identity'],
            },
            { sourceTag: 'scope:cli', onlyDependOnLibsWithTags: ['scope:shared'] },
          ],
        },
      ],
    },
  },
  {
    // jose/@noble/multiformats are allowed only inside libs/crypto.
    files: ['libs/crypto/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          depConstraints: [
            {
              sourceTag: 'type:util',
              onlyDependOnLibsWithTags: ['type:util'],
              bannedExternalImports: [...prismaLibs, ...s3Libs, ...nestLibs],
            },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
          ],
        },
      ],
    },
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
    // Tests may use the testing lib from any project, and assert non-null freely.
    files: ['**/*.spec.ts', '**/*.int-spec.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          depConstraints: [
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: [
                'type:platform',
                'type:contract',
                'type:domain',
                'type:util',
                'type:data',
                'type:testing',
              ],
            },
            {
              sourceTag: 'type:platform',
              onlyDependOnLibsWithTags: [
                'type:contract',
                'type:domain',
                'type:util',
                'type:testing',
              ],
            },
            {
              sourceTag: 'type:contract',
              onlyDependOnLibsWithTags: ['type:domain', 'type:util', 'type:testing'],
            },
            {
              sourceTag: 'type:domain',
              onlyDependOnLibsWithTags: ['type:domain', 'type:util', 'type:testing'],
            },
            { sourceTag: 'type:data', onlyDependOnLibsWithTags: ['type:util', 'type:testing'] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util', 'type:testing'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['*'] },
          ],
        },
      ],
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
