import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

/** Layers the code enforces (DESIGN.md "Layout"): each folder's imports that cross a line it must not cross. */
const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const ioModules = [
  '@prisma/*',
  '**/generated/prisma/**',
  'mysql2',
  'mysql2/*',
  '@kubernetes/*',
  'express',
  'pino',
  'pino-*',
  'nodemailer',
  '@aws-sdk/*',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
  '**/lib/*',
  '**/api/**',
  '**/workers/**',
];

/** Relative import patterns reaching the given top-level folders from up to five folders deep. */
const upLayers = (folders) =>
  folders.flatMap((f) =>
    [1, 2, 3, 4, 5].flatMap((depth) => {
      const up = '../'.repeat(depth);
      return [`${up}${f}`, `${up}${f}/**`];
    }),
  );

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'generated/**',
      'coverage/**',
      'ui/dist/**',
      'ui/.dist-*/**',
      '**/*.js',
      '**/*.mjs',
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    // workflow code is replayed in Temporal's sandbox: no Node, no I/O; activities only as types
    files: ['workflows/**/*.ts', 'pipeline/**/*.ts', 'contract/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', 'setTimeout', 'setInterval', 'process'],
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({
            name,
            message: 'workflow code runs in a sandbox without Node',
          })),
          patterns: [
            { group: ioModules, message: 'workflow code does no I/O: call an activity' },
            {
              group: ['../activities', '../activities/**'],
              allowTypeImports: true,
              message: 'workflows import activity types only',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['api/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/activities/runtimes/**', '@kubernetes/*'],
              message: 'the API never runs steps or talks to Kubernetes: start a workflow',
            },
            { group: upLayers(['workers']), message: 'arrows point down: api -> services -> contract/lib' },
          ],
        },
      ],
    },
  },
  {
    files: ['activities/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: upLayers(['api', 'workers']),
              message:
                'arrows point down: activities -> services -> contract/lib (a use case shared with the API lives in services/)',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['services/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: upLayers(['api', 'activities', 'workers', 'workflows', 'cli']),
              message:
                'services sit below the API and the activities: they import contract/, pipeline/ and lib/ only (start a workflow by its type name)',
            },
            { group: ['express'], message: 'services speak no HTTP: the API adapts them' },
          ],
        },
      ],
    },
  },
  {
    files: ['lib/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: upLayers(['api', 'activities', 'workers', 'workflows', 'services', 'cli']),
              message: 'lib/ is plumbing: it imports no layer above it',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['cli/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: upLayers(['api', 'activities', 'workers', 'workflows', 'services']),
              message: 'the CLI talks to the API over HTTP: it imports pipeline/, contract/ and lib/ only',
            },
          ],
        },
      ],
    },
  },
  // a runtime imports its own folder, runtimes/ (runtime.ts and the shared helpers), lib/, pipeline/ and contract/: never up
  ...[1, 2, 3].map((depth) => ({
    files: [`activities/runtimes/${'*/'.repeat(depth - 1)}*.ts`],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^${'\\.\\./'.repeat(depth)}(?!\\.\\./(lib|pipeline|contract)(/|$))`,
              message:
                'a runtime imports runtimes/, lib/, pipeline/ and contract/ only: no arrow up into activities/',
            },
          ],
        },
      ],
    },
  })),
);
