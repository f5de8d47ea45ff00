// @ts-check
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      '.data/**',
      'coverage/**',
      'build/**',
      'web/dist/**',
      'web/.dist-*/**',
    ],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // The web app (its own tsconfig, web/tsconfig.json): the rules of hooks too.
    files: ['web/src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    // Tests read JSON bodies whose shape is what they assert; fakes implement async interfaces
    // without awaiting anything.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
  {
    // Workflow code is bundled into Temporal's deterministic sandbox: it may only see the pure
    // domain and the workflow SDK, never Node built-ins, I/O clients or activity implementations.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!@temporalio/(workflow|common)$|\\.\\./domain/|\\./).*',
              message:
                'workflows/ may import only ../domain/*, sibling workflow files, @temporalio/workflow and @temporalio/common.',
            },
          ],
        },
      ],
    },
  },
  {
    // One data-access boundary: every mongoose call is in db/, one module per collection.
    // Everything else calls those modules (tests and benchmarks read the database to assert).
    files: ['**/*.ts'],
    ignores: ['db/**', 'test/**', 'bench/**', 'workflows/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'mongoose',
              message: 'Only db/ talks to mongoose: call the db/ module of the collection instead.',
              allowTypeImports: true,
            },
          ],
          patterns: [
            {
              regex: '(^|/)db/models(\\.js)?$',
              message:
                'The models are db/-internal: call the db/ module of the collection instead.',
            },
          ],
        },
      ],
    },
  },
  {
    // The agent service reads no database and holds no authority: the API sends it the facts.
    // It may use the pure domain, the configuration's types and its own files only.
    files: ['agent/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex:
                '^\\.\\./(db|services|api|workflows|activities|processes|kafka|notifications|temporal|ops|stack)/',
              message:
                'agent/ may import only ../domain/, ../config/ and sibling agent files: the API sends it the facts.',
            },
          ],
        },
      ],
    },
  },
  {
    // db/ takes domain types and knows nothing of the saga, the services or HTTP.
    files: ['db/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex:
                '^\\.\\./(workflows|services|api|activities|processes|kafka|notifications|ops)/',
              message: 'db/ may import only domain/ and other db/ modules.',
            },
          ],
        },
      ],
    },
  },
);
