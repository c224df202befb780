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
              group: ['**/activities/runtimes/**', '**/activities/kubernetes/**', '@kubernetes/*'],
              message: 'the API never runs steps or talks to Kubernetes: start a workflow',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['activities/**/*.ts'],
    // known exceptions, to move out of api/: scheduled runs and upstream triggers start runs through the API's run service
    ignores: ['activities/scheduled.ts', 'activities/triggers.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/api/**'], message: 'activities do not depend on the API' }] },
      ],
    },
  },
);
