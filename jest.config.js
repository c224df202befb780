/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/components'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j|mj)s$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  // ESM-only dependencies are transformed to CommonJS for jest.
  transformIgnorePatterns: [
    '/node_modules/(?!(@kubernetes/client-node|openid-client|oauth4webapi|jose|@bufbuild)/)',
  ],
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  setupFiles: ['<rootDir>/test/support/quiet-temporal.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60_000,
  maxWorkers: 1,
  // the whole suite in one process outgrew V8's ~4 GB heap (each test file leaves some behind:
  // bundles, native Temporal runtimes); one worker process, replaced once it holds 2 GB after a file
  workerIdleMemoryLimit: '2GB',
  // the Temporal native bridge (sdk-typescript#928) and step launchers kept by in-process workers
  // can hold the loop open after the last test; a finished run must end, not hang CI
  forceExit: true,
};
